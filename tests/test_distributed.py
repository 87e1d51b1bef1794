"""The Dask engine on a LocalCluster writes the same tables as the single-machine run, byte for byte."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline import distributed
from pipeline.run import run
from pipeline.settings import SAMPLES_DIR, Settings

ARTICLES = SAMPLES_DIR / "articles"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def test_local_cluster_tables_equal_single_machine_run(tmp_path, client):
    settings = Settings(batch_size=2)  # several partitions per worker
    single = run([str(ARTICLES)], tmp_path / "single", settings, cache_dir=tmp_path / "c1", progress=False)
    dist = distributed.run_distributed([str(ARTICLES)], tmp_path / "dist", settings, client=client,
                                       cache_dir=tmp_path / "c2", parquet=True)
    assert dist.nlp_articles == single.nlp_articles == len(single.results)
    assert set(dist.tables) == set(single.tables)
    for name, path in single.tables.items():
        assert dist.tables[name].read_bytes() == path.read_bytes(), name
    loads = client.run(distributed.worker_finder_loads)
    assert sorted(loads.values()) == [1, 1]  # models loaded once per worker, not per partition
    ents = pd.concat(pd.read_parquet(p) for p in sorted((tmp_path / "dist" / "parquet" / "entities").glob("*.parquet")))
    assert len(ents) == len(pd.read_csv(path.parent / "entities.csv")) > 0


def test_rerun_on_unchanged_input_needs_no_cluster(tmp_path, client):
    first = distributed.run_distributed([str(ARTICLES)], tmp_path / "a", Settings(), client=client, cache_dir=tmp_path / "c")
    again = distributed.run_distributed([str(ARTICLES)], tmp_path / "b", Settings(), scheduler="tcp://127.0.0.1:1",
                                        cache_dir=tmp_path / "c")  # an unreachable scheduler: must not be contacted
    assert first.nlp_articles > 0 and again.nlp_articles == 0
    assert (tmp_path / "a" / "entities.csv").read_bytes() == (tmp_path / "b" / "entities.csv").read_bytes()
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").glob("*.csv")}
    same = distributed.run_distributed([str(ARTICLES)], tmp_path / "a", Settings(), scheduler="tcp://127.0.0.1:1",
                                       cache_dir=tmp_path / "c")  # into the folder of the first run
    assert same.up_to_date and not again.up_to_date and len(stamps) == 5
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").glob("*.csv")} == stamps  # nothing rewritten


def test_write_parquet_splits_large_tables_into_partitions(tmp_path):
    frames = {"entities": pd.DataFrame({"article_id": list("abcde"), "start": range(5)}),
              "events": pd.DataFrame({"event_id": pd.Series([], dtype=object)})}
    paths = distributed.write_parquet(frames, tmp_path, rows=2)
    assert [p.name for p in paths["entities"]] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    back = pd.concat(pd.read_parquet(p) for p in paths["entities"]).reset_index(drop=True)
    assert back.equals(frames["entities"]) and len(paths["events"]) == 1
