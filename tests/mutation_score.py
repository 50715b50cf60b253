"""`make mutation`: read mutmut's statistics and fail under a minimum share of killed mutants.

python -m tests.mutation_score mutants/mutmut-cicd-stats.json 90
"""

import json
import sys


def score(stats: dict) -> float:
    """Killed (or timed out) mutants out of those tests ran, in percent."""
    tested = stats["total"] - stats.get("skipped", 0)
    caught = stats["killed"] + stats.get("timeout", 0)
    return 100.0 * caught / tested if tested else 0.0


def main(argv: list[str]) -> int:
    path, minimum = argv[0], float(argv[1])
    with open(path, encoding="utf-8") as handle:
        stats = json.load(handle)
    value = score(stats)
    print(
        f"Mutation score: {value:.1f} % ({stats['killed']} killed, {stats.get('timeout', 0)}"
        f" timed out, {stats['survived']} survived of {stats['total']}); minimum {minimum:g} %"
    )
    return 0 if value >= minimum else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
