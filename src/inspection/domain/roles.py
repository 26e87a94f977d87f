"""The roles people hold: what the rules of every area ask about the person acting."""

from __future__ import annotations

from typing import Literal

Role = Literal["admin", "inspector", "unit_head", "leader", "observer"]
ROLES: tuple[Role, ...] = ("admin", "inspector", "unit_head", "leader", "observer")
