"""Official documents: every regulation as a Word file and a PDF from one document model
(``context``), with the fonts checked, reproducible bytes and a cached, parallel build (``build``)."""
