"""User accounts and their roles."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.access import Role
from academy.core.db import UTCDateTime, utcnow
from academy.extensions import Model


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lowercased; the sign-in name.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: As it should be printed on a certificate.
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: A code of academy.accounts.regions.REGIONS.
    region: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    #: Locales the person can work in as a mediator, e.g. ["kk", "ru"].
    working_languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The saved display choice (kk, kk-Latn, ru, en); None follows the browser.
    language: Mapped[str | None] = mapped_column(sa.String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Self-registered accounts can sign in once the address is confirmed; None = not yet confirmed.
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Part of the login cookie; rotating it signs out every session of this user.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                     lazy="selectin")

    @property
    def roles(self) -> set[Role]:
        return {Role(r.role) for r in self.role_rows}

    def has_role(self, role) -> bool:
        return str(role) in {r.role for r in self.role_rows}

    def get_id(self) -> str:
        return f"{self.id}.{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows")
