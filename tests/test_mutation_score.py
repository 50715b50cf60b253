from tests.mutation_score import main, score


def test_score_counts_killed_and_timed_out_mutants_of_those_tested():
    stats = {"total": 110, "skipped": 10, "killed": 88, "timeout": 2, "survived": 10}
    assert score(stats) == 90.0


def test_main_fails_under_the_minimum(tmp_path):
    path = tmp_path / "stats.json"
    path.write_text('{"total": 10, "killed": 8, "survived": 2}')
    assert main([str(path), "80"]) == 0
    assert main([str(path), "81"]) == 1
