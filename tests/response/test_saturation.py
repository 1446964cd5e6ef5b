"""Saturation references: 0 at 0, monotone, bounded, half of the maximum at half_saturation.

Tolerances: closed-form comparisons ``rtol=1e-9``. Outputs lie in [0, 1]; they are
strictly below 1 while the input stays within 10 x half_saturation (further out the
curve rounds to 1.0 in float64).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mmm_analytics.errors import InputError
from mmm_analytics.response import saturation
from mmm_analytics.response.saturation import SaturationFamily

RTOL = 1e-9
SETTINGS = settings(max_examples=50, deadline=None)

half_saturations = st.floats(1e-2, 1e3)
slopes = st.floats(0.2, 5.0)
levels = hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0.0, 1e4))
families = st.sampled_from(list(SaturationFamily))


def curve(family: SaturationFamily, x, half_saturation: float, slope: float):
    return saturation.saturate(x, family, half_saturation, slope)


@SETTINGS
@given(family=families, half_saturation=half_saturations, slope=slopes)
def test_zero_exposure_gives_zero(family, half_saturation, slope) -> None:
    assert curve(family, np.zeros(3), half_saturation, slope).tolist() == [0.0, 0.0, 0.0]


@SETTINGS
@given(family=families, x=levels, half_saturation=half_saturations, slope=slopes)
def test_monotone_non_decreasing_and_within_unit_interval(family, x, half_saturation, slope) -> None:
    ordered = np.sort(x)
    y = curve(family, ordered, half_saturation, slope)
    assert np.all(np.diff(y) >= 0)
    assert np.all((y >= 0) & (y <= 1))


@SETTINGS
@given(family=families, fraction=st.floats(0.0, 10.0), half_saturation=half_saturations, slope=st.floats(0.2, 3.0))
def test_strictly_below_one_near_the_half_saturation(family, fraction, half_saturation, slope) -> None:
    assert curve(family, np.array([fraction * half_saturation]), half_saturation, slope)[0] < 1.0


@SETTINGS
@given(family=families, half_saturation=half_saturations, slope=slopes)
def test_half_of_the_maximum_at_half_saturation(family, half_saturation, slope) -> None:
    np.testing.assert_allclose(curve(family, np.array([half_saturation]), half_saturation, slope), 0.5, rtol=RTOL)


@SETTINGS
@given(
    family=families,
    x=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e4, 1e4)),
    half_saturation=half_saturations,
    slope=slopes,
)
def test_non_negativity_is_kept_for_any_input(family, x, half_saturation, slope) -> None:
    y = curve(family, x, half_saturation, slope)
    assert np.all(y >= 0)
    np.testing.assert_array_equal(y[x <= 0], 0.0)


@SETTINGS
@given(
    x=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.0, 100.0)),
    half_saturation=st.floats(0.1, 10.0),
    slope=slopes,
)
def test_hill_matches_its_closed_form(x, half_saturation, slope) -> None:
    expected = x**slope / (x**slope + half_saturation**slope)
    np.testing.assert_allclose(saturation.hill(x, half_saturation, slope), expected, rtol=RTOL, atol=1e-300)


@SETTINGS
@given(
    x=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.0, 100.0)), half_saturation=st.floats(0.1, 10.0)
)
def test_sigmoid_matches_its_closed_form(x, half_saturation) -> None:
    decay = 3.0 ** (-x / half_saturation)  # exp(-k x) with k = ln 3 / half_saturation
    expected = (1.0 - decay) / (1.0 + decay)
    np.testing.assert_allclose(saturation.sigmoid(x, half_saturation), expected, rtol=RTOL, atol=1e-15)


def test_sigmoid_is_concave_and_hill_with_slope_above_one_is_s_shaped() -> None:
    x = np.linspace(0.0, 6.0, 61)
    assert np.all(np.diff(saturation.sigmoid(x, 1.5), 2) < 0)
    s_shape = np.diff(saturation.hill(x, 1.5, 3.0), 2)
    assert s_shape[0] > 0 and s_shape[-1] < 0


def test_per_channel_parameters_broadcast_over_the_last_axis() -> None:
    x = np.random.default_rng(1).uniform(0, 4, size=(2, 10, 3))
    half, slope = np.array([0.5, 1.0, 2.0]), np.array([0.7, 1.0, 2.5])
    hill, sig = saturation.hill(x, half, slope), saturation.sigmoid(x, half)
    for c in range(3):
        np.testing.assert_allclose(hill[..., c], saturation.hill(x[..., c], half[c], slope[c]), rtol=1e-12)
        np.testing.assert_allclose(sig[..., c], saturation.sigmoid(x[..., c], half[c]), rtol=1e-12)


@pytest.mark.parametrize(
    "family, x, expected",
    [
        ("hill", [0.0, 1.0, 3.0], [0.0, 0.25, 0.5]),
        ("sigmoid", [0.0, 3.0, 6.0], [0.0, 0.5, 0.8]),
        (SaturationFamily.HILL, [9.0], [0.75]),
    ],
    ids=["hill_by_name", "sigmoid_by_name", "hill_by_enum"],
)
def test_saturate_dispatches_by_family(family, x, expected) -> None:
    np.testing.assert_allclose(saturation.saturate(np.array(x), family, 3.0, 1.0), expected, rtol=RTOL)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: saturation.hill(np.ones(2), 0.0, 1.0), "half_saturation"),
        (lambda: saturation.hill(np.ones(2), -1.0, 1.0), "half_saturation"),
        (lambda: saturation.hill(np.ones(2), 1.0, 0.0), "slope"),
        (lambda: saturation.sigmoid(np.ones(2), np.array([1.0, 0.0])), "half_saturation"),
        (lambda: saturation.saturate(np.ones(2), "sigmoid", -2.0), "half_saturation"),
        (
            lambda: saturation.saturate(np.ones(2), "cubic", 1.0),
            "unknown saturation 'cubic'; choose one of: hill, sigmoid",
        ),
    ],
    ids=[
        "hill_zero_half_saturation",
        "hill_negative_half_saturation",
        "hill_zero_slope",
        "sigmoid_one_channel_zero",
        "saturate_negative_half_saturation",
        "unknown_family",
    ],
)
def test_bad_parameters_raise_input_error_naming_them(call, name: str) -> None:
    with pytest.raises(InputError, match=name):
        call()


@SETTINGS
@given(
    family=families,
    x=st.one_of(st.floats(0.0, 1e4), st.floats(1e-300, 1e-100)),
    half_saturation=st.floats(1e-3, 1e6),
    slope=st.floats(0.2, 50.0),
)
def test_gradients_are_finite_for_any_exposure_and_parameters(family, x, half_saturation, slope) -> None:
    """A carried-over exposure of 1e-200 (a Weibull carryover a week after a run of zero weeks)
    far below half-saturation once made the Hill's gradient NaN and the polish fail."""
    import jax
    import jax.numpy as jnp

    def value(params):
        return saturation.saturate(params[0], family, params[1], params[2], xp=jnp)

    with jax.enable_x64(True):
        point = jnp.array([x, half_saturation, slope], dtype=jnp.float64)
        result, grad = jax.value_and_grad(value)(point)
    assert np.isfinite(float(result)) and np.all(np.isfinite(np.asarray(grad)))


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(np.float64, (2, 3, 4), elements=st.floats(1e-3, 1e3)),
    hnp.arrays(np.float64, (3, 4), elements=st.floats(1e-2, 1e2)),
    hnp.arrays(np.float64, (2, 4), elements=st.floats(0.0, 1.0)),
)
def test_series_ceiling_grows_as_size_to_the_scaling(ceiling, size, scaling) -> None:
    """ceiling * size**scaling, draws (2) x series (3) x channels (4); 0 leaves it, 1 is in proportion."""
    out = saturation.series_ceiling(ceiling, size, scaling)
    np.testing.assert_allclose(out, ceiling * size[None] ** scaling[:, None, :], rtol=1e-12)
    np.testing.assert_allclose(saturation.series_ceiling(ceiling, size, np.zeros(4)), ceiling, rtol=1e-12)
    np.testing.assert_allclose(saturation.series_ceiling(ceiling, size, np.ones(4)), ceiling * size, rtol=1e-12)
