"""Labels and number words for the document's language: captions, headings, page labels, the words the
content checks look for.

Labels come from `templates/locales/<language>.yaml`: a new language is a new file, not code. Dates and
numbers are formatted in `reports.language.formatting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reports.cache import Cache
from reports.content.loader import load_file
from reports.errors import ContentError, Diagnostic
from reports.paths import LOCALES_DIR

DEFAULT_QUOTES = "\u201c\u201d\u2018\u2019"


@dataclass(frozen=True)
class Labels:
    language: str
    """The language asked for."""
    file: Path
    """The locale file the labels came from."""
    text: dict[str, str]
    number_words: dict[str, int] = field(default_factory=dict)
    country_nouns: tuple[str, ...] = ()
    founding_verbs: tuple[str, ...] = ()
    """Words that say a country founded the organisation ("didirikan", "founding")."""
    later_words: tuple[str, ...] = ()
    """Words that say a country joined after the founding ("kemudian", "joined"): a count next to one is not a
    founding count."""
    clause_words: tuple[str, ...] = ()
    """Words that join clauses ("dan", "and"): a founding word before one does not reach a count after it."""
    country_variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Other names in common use besides CLDR's, by ISO code (Indonesian "Cina" and "China"): the name check
    recognises them as naming the country, and warns when the document shows another name."""

    def __getitem__(self, key: str) -> str:
        return self.text[key]

    @property
    def quotes(self) -> str:
        """The language's quotation marks: opening and closing double, then opening and closing single quote
        (`quotes:` in the locale file; English's “”‘’ when it has none)."""
        return self.text.get("quotes") or DEFAULT_QUOTES


def _candidates(language: str) -> list[str]:
    base = language.split("-")[0]
    return [language, base, "en"] if base != "en" else [language, "en"]


def labels_for(language: str, cache: Cache | None = None, locales_dir: Path = LOCALES_DIR) -> Labels:
    """Labels for `language`, falling back to its base language, then English; read once per cache."""
    if cache is None:
        return _labels(language, locales_dir)
    return cache.memo("labels", (language, locales_dir), lambda: _labels(language, locales_dir))


def _labels(language: str, locales_dir: Path) -> Labels:
    for candidate in _candidates(language):
        path = locales_dir / f"{candidate}.yaml"
        if path.is_file():
            return _read(path, language)
    raise ContentError([Diagnostic(f"no locale file for '{language}' or English in {locales_dir}")])


def _read(path: Path, language: str) -> Labels:
    data = load_file(path).data
    labels = data.get("labels") or {}
    numbers = data.get("number_words") or {}
    problems = [
        Diagnostic("labels must be text", file=str(path), field_path=f"labels.{key}")
        for key, value in labels.items()  # type: ignore[union-attr]
        if not isinstance(value, str)
    ]
    quotes = labels.get("quotes")  # type: ignore[union-attr]
    if isinstance(quotes, str) and len(quotes) != 4:
        problems.append(Diagnostic("quotes must be four characters: opening and closing double quote, then opening "
                                   "and closing single quote (e.g. “”‘’)", file=str(path), field_path="labels.quotes"))
    if problems:
        raise ContentError(problems)
    return Labels(
        language=language,
        file=path,
        text=dict(labels),  # type: ignore[arg-type]
        number_words={str(word): int(str(value)) for word, value in numbers.items()},  # type: ignore[union-attr]
        country_nouns=tuple(data.get("country_nouns") or ()),  # type: ignore[arg-type]
        founding_verbs=tuple(data.get("founding_verbs") or ()),  # type: ignore[arg-type]
        later_words=tuple(data.get("later_words") or ()),  # type: ignore[arg-type]
        clause_words=tuple(data.get("clause_words") or ()),  # type: ignore[arg-type]
        country_variants={
            str(code): tuple(names)  # type: ignore[arg-type]
            for code, names in (data.get("country_variants") or {}).items()  # type: ignore[union-attr]
        },
    )


