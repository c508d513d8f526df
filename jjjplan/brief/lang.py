"""One rule for the briefing's three language modes: 中文, English, or both (Chinese first)."""

from __future__ import annotations

LANGS: tuple[str, ...] = ("zh", "en", "both")


def check_lang(lang: str) -> str:
    """``lang`` itself, or a bilingual ValueError naming the allowed modes."""
    if lang not in LANGS:
        raise ValueError(f"语言须为 zh、en 或 both，收到 {lang!r} / lang must be zh, en or both")
    return lang


def pick(zh: str, en: str, lang: str, sep: str = " ") -> str:
    """The label for ``lang``: Chinese, English, or Chinese then English joined by ``sep``."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh}{sep}{en}"
