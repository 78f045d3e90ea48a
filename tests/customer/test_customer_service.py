"""Identity resolution: one customer found by code or any identity, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from manyi.customer import service
from manyi.customer.models import IdentityKind


def test_resolve_or_create_and_find(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        c, created = service.resolve_or_create(
            s, code="K1", email=" Ann@X.com ", phone="+86 138 0013 8000"
        )
        assert created
        again, created2 = service.resolve_or_create(s, code="OTHER", email="ann@x.com")
        assert not created2 and again.id == c.id
        assert service.find_customer(s, phone="+8613800138000") is not None
        assert service.find_customer(s, code="K1") is not None
        assert service.find_customer(s, email="nobody@x.com") is None
        assert service.find_customer(s) is None
        _, new = service.resolve_or_create(s, code="K2", email="ann@x.com", external_id="wx-1")
        assert not new  # the e-mail already belongs to K1
        s.commit()


def test_ensure_codes_and_consent_state(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        ids, created = service.ensure_codes(s, {"A": {"country": "China"}, "B": {}})
        assert created == 2 and set(ids) == {"A", "B"}
        ids2, created2 = service.ensure_codes(s, ["A", "B", "C"])
        assert created2 == 1 and ids2["A"] == ids["A"]
        assert service.consent_state(s, ids2.values()) == {}
        s.commit()


def test_normalise_identity() -> None:
    assert service.normalise_identity(IdentityKind.EMAIL, " A@B.COM ") == "a@b.com"
    assert service.normalise_identity(IdentityKind.PHONE, "+86 138-0013-8000") == "+8613800138000"
    assert service.normalise_identity(IdentityKind.EXTERNAL, " wx ") == "wx"
