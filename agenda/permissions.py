"""Who may do what in the platform's agenda (pure predicates over the need-to-know table).

Only the platform's staff see an agenda or the people in it: a partner, a prescriber or a
finance officer has no row for `agenda` or `appointments` in the table. A person reads
their own appointments (signed in, or through the signed link of their messages)."""

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, may, platforms_where


def agenda_platforms(user, mode: Mode = Mode.READ) -> set[int]:
    """The platforms whose places, rules and free slots the user reads (changes)."""
    return platforms_where(user, DataKind.AGENDA, mode)


def appointment_platforms(user, mode: Mode = Mode.READ) -> set[int]:
    """The platforms whose appointments and sessions the user reads (changes)."""
    return platforms_where(user, DataKind.APPOINTMENTS, mode)


def may_manage_agenda(user, platform_id: int) -> bool:
    return may(user, DataKind.AGENDA, Mode.WRITE, organisation=platform_id,
               audience=PLATFORM_STAFF)  # fmt: skip


def may_book(user, platform_id: int) -> bool:
    """Book, move, cancel and record attendance on this platform's agenda."""
    return may(user, DataKind.APPOINTMENTS, Mode.WRITE, organisation=platform_id,
               audience=PLATFORM_STAFF)  # fmt: skip
