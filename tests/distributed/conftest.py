"""The LocalCluster of the distributed tests: two worker processes on 127.0.0.1, one for
the whole session (starting one costs seconds), and a time limit on every test."""

import signal

import pytest

TEST_SECONDS = 60


@pytest.fixture(autouse=True)
def time_limit():
    """Fail a test that runs past TEST_SECONDS instead of hanging the suite."""
    def expire(signum, frame):
        raise TimeoutError(f"the test ran past {TEST_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def client():
    distributed = pytest.importorskip("distributed")
    # ":0": any free port for the scheduler's HTTP server, so that port 8787 stays free
    # for test_dask_cli's check that the command's own cluster does not need it
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=":0",
                                       silence_logs=40)
    with distributed.Client(cluster, timeout=60) as c:
        yield c
    cluster.close()
