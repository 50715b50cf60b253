"""Weekly availability rules written in OpenStreetMap's `opening_hours` syntax, which
data·inclusion asks for (`horaires_accueil`): « Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 ».

Only the rules in force on the given day count. Hours of one day are merged where they
overlap or touch; days with the same hours are written together, consecutive days as a
range (three or more) or a list."""

from datetime import date, time

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def _in_force(rule, today: date) -> bool:
    return rule.valid_from <= today and (rule.valid_until is None or rule.valid_until >= today)


def _merge(ranges: list[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    merged: list[list[time]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def _days_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        else:
            parts.extend(DAYS[day] for day in run)
    return ",".join(parts)


def opening_hours(rules, *, today: date) -> str | None:
    """The rules' weekly hours in OSM syntax, or None when no rule is in force."""
    per_day: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for rule in rules:
        if _in_force(rule, today):
            for day in rule.weekdays:
                if 0 <= int(day) <= 6:
                    per_day[int(day)].append((rule.start_time, rule.end_time))
    hours = {day: _merge(ranges) for day, ranges in per_day.items() if ranges}
    if not hours:
        return None
    groups: dict[tuple, list[int]] = {}
    for day in sorted(hours):
        groups.setdefault(hours[day], []).append(day)
    parts = []
    for ranges, days in sorted(groups.items(), key=lambda item: item[1][0]):
        times = ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges)
        parts.append(f"{_days_text(days)} {times}")
    return "; ".join(parts)
