"""A rule's finding: value, the words it came from and how sure the rule is; becomes a FieldValue."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.domain.fields import FieldValue
from sohoa.domain.ocr import Word

from ._layout import mean_conf, union_box

__all__ = ["Hit"]


@dataclass(frozen=True)
class Hit:
    """``parts`` holds the source words, one tuple per line segment (one provenance box each).

    ``certainty`` is the rule's own trust (strict pattern > lenient); word confidences join it in
    :meth:`to_field`.
    """

    value: str | None
    parts: tuple[tuple[Word, ...], ...]
    certainty: float
    rule: str
    needs_review: bool = False

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for part in self.parts for w in part)

    def to_field(self, page: int) -> FieldValue:
        words = self.words
        confidence = self.certainty * (mean_conf(words) if words else 0.5)
        if self.needs_review:
            confidence = min(confidence, 0.4)
        return FieldValue(
            value=self.value,
            confidence=round(confidence, 4),
            page=page,
            boxes=tuple(union_box(w.bbox for w in part) for part in self.parts if part),
            rule=self.rule,
            needs_review=self.needs_review,
        )
