"""Token buckets per token and endpoint class, and the 429 answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import FakeClock, Tokens, make_app, problem_of
from web.app import services_of
from web.ratelimit import Limit, RateLimitConfigError, RateLimiter


def test_bucket_refills_with_time() -> None:
    """A burst of 3 passes, the 4th waits 1/rate s, and time brings tokens back."""
    clock = FakeClock()
    rl = RateLimiter({"plan": Limit(60, 3)}, clock=clock)
    assert [rl.take("t", "plan") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.take("t", "plan") == pytest.approx(1.0)
    assert rl.take("u", "plan") == 0.0  # another token has its own bucket
    assert rl.take("t", "booking") == 0.0  # an unlimited class
    clock.t += 2.0
    assert rl.take("t", "plan") == 0.0 and rl.take("t", "plan") == 0.0
    assert rl.take("t", "plan") > 0


def test_bad_limits_are_refused() -> None:
    """Zero or negative limits are configuration errors."""
    with pytest.raises(RateLimitConfigError):
        Limit(0, 1)
    with pytest.raises(RateLimitConfigError):
        Limit(10, 0)


def test_api_answers_429_with_retry_after(data_root: Path, tmp_path: Path) -> None:
    """Past the plan burst the API answers 429 + Retry-After; later it serves again."""
    clock = FakeClock()
    app = make_app(data_root, tmp_path, RATE_PLAN_PER_MIN=6, RATE_PLAN_BURST=2, CLOCK=clock)
    s = services_of(app)
    tokens = Tokens(s)
    c = app.test_client()
    h = tokens.h(tokens.alice)
    url = "/api/v1/stops?q=駅"
    assert [c.get(url, headers=h).status_code for _ in range(2)] == [200, 200]
    r = c.get(url, headers=h)
    problem_of(r, 429)
    assert r.headers["Retry-After"] == "10"
    assert c.get(url, headers=tokens.h(tokens.bob)).status_code == 200
    clock.t += 10
    assert c.get(url, headers=h).status_code == 200
    s.close()
