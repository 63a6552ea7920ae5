"""Titles of hồ sơ (files) where they leave the staff.

A land or household file is often titled after the citizen ("Hồ sơ giao đất cho hộ ông Nguyễn Văn A"). No
``personal_data`` row belongs to a file, so its title is read when it is shown: what ``detect`` finds in it
(names in context and the structured kinds) is masked for readers without personal.read, per the policy of
the file's access level — the same words the document's own masking would hide.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sohoa.domain.personal import PersonalKind, mask_spans
from sohoa.intelligence.personal import detect
from sohoa.services.catalogue.personal_policy import policy_of, sees_personal_data
from sohoa.services.identity.principal import Principal

__all__ = ["masked_title"]


def masked_title(session: Session, title: str | None, access_level: str, principal: Principal | None) -> str | None:
    """``title`` as ``principal`` may read it: unchanged for readers of personal data, else with the personal
    data found in it replaced by mask tokens ('Hồ sơ giao đất cho hộ ông [đã che: họ tên]')."""
    if not title or sees_personal_data(principal):
        return title
    kinds = policy_of(session).get(access_level, frozenset(PersonalKind))
    spans = [span for span in detect(title) if span.kind in kinds]
    return mask_spans(title, spans) if spans else title
