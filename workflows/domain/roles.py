"""Who uses the product and to what they are bound (domain.md, "Who uses it")."""
from __future__ import annotations

import enum

from .errors import N_, InvalidInput


class Role(enum.StrEnum):
    APPLICANT = "applicant"  # 信用主体或其代理人
    ACCEPTING_OFFICE = "accepting_office"  # 市信用办受理窗口
    INFORMATION_PROVIDER = "information_provider"  # 信息提供单位
    LISTING_DEPARTMENT = "listing_department"  # 认定部门
    IMPLEMENTING_DEPARTMENT = "implementing_department"  # 实施部门
    SUPERVISOR = "supervisor"  # 督办
    ADMINISTRATOR = "administrator"


#: roles whose user must belong to a department and act for it
DEPARTMENT_ROLES = frozenset(
    {Role.INFORMATION_PROVIDER, Role.LISTING_DEPARTMENT, Role.IMPLEMENTING_DEPARTMENT}
)

#: roles entitled to see the key-attention list, which is never public (重点关注名单不对外公开)
KEY_ATTENTION_VIEWERS = frozenset(
    {
        Role.ACCEPTING_OFFICE,
        Role.INFORMATION_PROVIDER,
        Role.LISTING_DEPARTMENT,
        Role.IMPLEMENTING_DEPARTMENT,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    }
)

STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}


def parse_role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(N_("unknown role '%(value)s'; one of: %(allowed)s"), field="role", value=raw,
                           allowed=allowed) from None
