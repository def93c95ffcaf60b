"""French wording of library and system errors.

Messages reach administrators in the browser and on the terminal: they must be French
and must not carry a server path (an `OSError`'s text holds both English and the path).
"""

from __future__ import annotations

import errno

_OS_REASONS = {
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EROFS: "dossier de travail en lecture seule",
    errno.EACCES: "droits d'écriture insuffisants sur le dossier de travail",
    errno.EPERM: "opération non permise sur le dossier de travail",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EMFILE: "trop de fichiers ouverts",
}


def os_error_reason(exc: BaseException) -> str:
    """A French reason for an OSError, without its (English) library text or a server path."""
    code = getattr(exc, "errno", None)
    if code in _OS_REASONS:
        return _OS_REASONS[code]
    if isinstance(exc, MemoryError):
        return "mémoire insuffisante"
    return f"erreur système {code}" if code else "erreur système"


_JSON_REASONS = (
    ("Expecting value", "valeur attendue"),
    ("Expecting property name", "nom de champ entre guillemets attendu"),
    ("Unterminated string", "texte entre guillemets non refermé"),
    ("Extra data", "données en trop après la fin du document"),
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "deux-points attendus"),
    ("Invalid control character", "caractère de contrôle interdit dans un texte"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
    ("Invalid \\uXXXX escape", "séquence \\u invalide"),
)


def json_reason(message: str | None) -> str:
    """A French reason for a `json.JSONDecodeError.msg`."""
    text = message or ""
    for marker, reason in _JSON_REASONS:
        if text.startswith(marker):
            return reason
    return "syntaxe JSON invalide"
