"""Fixtures of the fault tests: a private PostgreSQL cluster and Redis for the whole session, seeded once."""
import shutil

import pytest

from .cluster import PG_BIN, Portal, PrivatePostgres, PrivateRedis

needs_servers = pytest.mark.skipif(not (PG_BIN / "initdb").exists() or not shutil.which("redis-server"),
                                   reason="the fault tests need PostgreSQL 15 binaries and redis-server")


@pytest.fixture(scope="session")
def servers():
    """(PostgreSQL, Redis): private, on free loopback ports, migrated and seeded with the small demo city."""
    pg, redis = PrivatePostgres(), PrivateRedis()
    try:
        pg.init()
        redis.start()
        portal = Portal(pg, redis)
        try:
            portal.manage("migrate", "--noinput", "--skip-checks")
            portal.manage("seed_demo", "--scale", "small", "--skip-checks")
        finally:
            portal.close()
        yield pg, redis
    finally:
        redis.stop()
        pg.destroy()


@pytest.fixture
def portal(servers):
    pg, redis = servers
    if not redis.answers():
        redis.start()
    p = Portal(pg, redis)
    yield p
    p.close()


@pytest.fixture
def studio(servers):
    """(code, sector id) of an active studio of the demo city."""
    pg, _redis = servers
    return pg.query("SELECT code, sector_id FROM offices_studio WHERE active AND sector_id IS NOT NULL "
                    "ORDER BY id LIMIT 1")[0]
