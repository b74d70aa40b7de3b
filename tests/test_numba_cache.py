"""cosmoplan._numba.jit: compiled kernels work where no disk cache can be written."""

from cosmoplan._numba import jit


def test_falls_back_to_an_in_memory_compile_without_a_cache_location():
    """A function defined by exec has no source file, so numba finds no cache locator
    (as with a read-only install and no writable home): njit(cache=True) would raise;
    jit compiles without the cache instead."""
    namespace = {}
    exec("def twice(x):\n    return 2.0 * x\n", namespace)
    compiled = jit(namespace["twice"])
    assert compiled(21.0) == 42.0
    compiled_with_options = jit(error_model="numpy")(namespace["twice"])
    assert compiled_with_options(1.5) == 3.0
