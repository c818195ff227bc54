"""The pages. Each view checks on the server who is asking and what they may see or do."""
