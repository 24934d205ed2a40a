"""TruthGraph's exception hierarchy.

    TruthGraphError                                  exit 1
    ├── ConfigError                                  exit 6
    ├── InvalidInputError (empty claim, bad file)    exit 3
    │   ├── DatasetError (unreadable data source)    exit 3
    │   │   ├── SourceError (a web page, PDF or URL that cannot be read)
    │   │   └── DocumentError (a document to check against is unusable)  exit 8
    │   └── NothingToCheckError (no check-worthy sentence)  exit 7
    ├── NotFoundError (claim / verdict / collection) exit 4
    └── UnavailableError (retryable)                 exit 5
        ├── EvidenceStoreError (database unreachable or failing)
        └── ModelLoadError (model files missing or unreadable)

Third-party errors are wrapped at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class TruthGraphError(Exception):
    """Base class of every error TruthGraph raises on purpose."""

    exit_code = 1


class ConfigError(TruthGraphError):
    """The settings are invalid or contradict each other."""

    exit_code = 6


class InvalidInputError(TruthGraphError):
    """The caller's input cannot be used (empty claim, malformed file, ...)."""

    exit_code = 3


class DatasetError(InvalidInputError):
    """A corpus, claims file or benchmark cannot be read."""


class SourceError(DatasetError):
    """A web page, PDF or URL cannot be fetched or holds no text (404, timeout, scanned PDF,
    no main text, wrong content type, oversize body, undecodable bytes, ...)."""


class LimitExceededError(DatasetError):
    """A document over one of the bounds on the work it may cause (pages of a PDF, characters,
    sentences, a paragraph's length; ``LimitsSettings``). The message names the setting."""


class DocumentError(DatasetError):
    """A document given to check a text against (``check --against``, ``check_text``,
    ``POST /check`` with ``documents``) cannot be used: missing, unreadable, empty, a URL that
    fails, or too large. Nothing was checked and nothing stored."""

    exit_code = 8


class NothingToCheckError(InvalidInputError):
    """A text given to ``check`` holds no check-worthy sentence (only questions, opinions,
    headings, ...): nothing was verified."""

    exit_code = 7


class NotFoundError(TruthGraphError):
    """A claim, verdict or collection does not exist."""

    exit_code = 4


class QueueFullError(TruthGraphError):
    """An API key already has as many jobs queued as it may; retry once one has started."""

    exit_code = 5
    retry_after_s = 5.0  # the service's Retry-After


class UnavailableError(TruthGraphError):
    """A needed resource is unavailable; retrying later may help."""

    exit_code = 5


class EvidenceStoreError(UnavailableError):
    """The evidence database is unreachable or failed."""


class ModelLoadError(UnavailableError):
    """Model weights are missing or cannot be loaded."""
