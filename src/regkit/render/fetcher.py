"""The only way WeasyPrint reads anything while rendering: files under the template folder and the
configured font files. Everything else (http, other files, /dev/urandom) is refused."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .fonts import Face

MAX_BYTES = 64 << 20  # no template file or font is this big; a device or a FIFO could be endless


class RefusedURL(ValueError):
    """Raised for a URL outside the template folder and the configured fonts."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints
    """A WeasyPrint URL fetcher serving ``folder`` (recursively, regular files only) and exactly the
    given font faces."""

    def __init__(self, folder: Path, faces: set[Face], **kwargs: Any) -> None:
        # fail_on_errors: a refused or missing resource stops the render instead of a warning
        super().__init__(fail_on_errors=True, **kwargs)
        self.folder = folder.resolve()
        self.faces = {f.url: f for f in faces}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve an allowed URL; raise RefusedURL for anything else."""
        if url in self.faces:
            return URLFetcherResponse(url, self.faces[url].data(), {"Content-Type": "font/ttf"})
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            raise RefusedURL(f"refused to fetch {url}: only the template folder and the configured fonts")
        path = Path(unquote(parts.path))
        try:
            real = path.resolve(strict=True)
        except OSError:
            raise RefusedURL(f"refused to fetch {url}: no such file") from None
        if not real.is_relative_to(self.folder) or not real.is_file():
            raise RefusedURL(f"refused to fetch {url}: outside {self.folder}")
        data = real.read_bytes() if real.stat().st_size <= MAX_BYTES else None
        if data is None:
            raise RefusedURL(f"refused to fetch {url}: larger than {MAX_BYTES} bytes")
        ctype = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        return URLFetcherResponse(url, data, {"Content-Type": ctype})
