"""Compiled explicit Runge-Kutta integrators: adaptive DOP853 and Verner 9(8), fixed-step RK4.

The whole integration, step loop, error control, dense output and event location, runs in
numba; the right-hand side is any numba-jitted function ``rhs(t, y, *args) -> dy/dt``
(``args`` a tuple, passed through unchanged), called from compiled code, never through
Python. Three methods share one compiled core:

* :func:`dop853_solve`: Dormand & Prince 8(5,3) (Hairer, Norsett & Wanner 1993, *Solving
  Ordinary Differential Equations I*, 2nd ed., sec. II.10), 12 stages, with Hairer's
  ``dop853.f`` error estimator (5th- and 3rd-order embedded estimates combined) and step
  control exactly as SciPy's ``solve_ivp(method="DOP853")``: safety 0.9, factors 0.2..10,
  exponent -1/8, no growth after a rejection, same initial-step heuristic and RMS norm, so
  that the two take the same steps at equal tolerances. The Butcher tableau is imported from
  :mod:`cosmoplan.cislunar.cr3bp` (Hairer's coefficients as tabulated in SciPy's
  ``dop853_coefficients.py``); the three extra stages and the matrix ``D`` of Hairer's
  order-7 dense output (``contd8``) are tabulated here from the same source.
* :func:`verner98_solve`: J. H. Verner's "most efficient" 9(8) pair (Verner 2010, Numer.
  Algor. 53, 383-396; coefficients from his SFU page as tabulated, in double precision, in
  Julia's OrdinaryDiffEq ``Vern9``, ``verner_tableaus.jl``, MIT): 16 stages, 9th-order
  solution, 8th-order embedded error estimate, a PI step-size controller (Gustafsson 1991;
  factor 0.9 err^(-0.7/9) err_prev^(0.4/9) within 0.2..10: on the LEO case below it removes
  the 12 % of rejected steps of the plain controller and makes the error fall steadily with
  the tolerance), and Verner's order-9 interpolant, which costs 9 more right-hand sides (10
  extra stages, the first being f(t + h, y1)) in each step that holds an output time or an
  event. The coefficients are checked in ``tests/test_integrators.py`` against every Butcher
  order condition (all 486 rooted trees to order 9) for the solution, to order 8 for the
  embedded weights and to order 9 for the interpolant at several theta.
* :func:`rk4_solve`: classical 4th-order Runge-Kutta with a fixed step, output between steps
  by cubic Hermite interpolation on the step's end states and derivatives (4th order, no
  extra evaluations).

Output times ``t_out`` never shorten a step: states there come from the dense output of the
step that contains them (exactly ``y1`` when a time coincides with a step end). Events:
``event(t, y, *event_args)`` returns a float or a 1-D array of g values; a zero crossing
(with the requested direction: +1 g increasing, -1 decreasing, 0 either) inside an accepted
step is located by Brent's method on the dense output to better than ``event_tol`` (default
1e-6 time units, s for cosmoplan's propagators), without right-hand-side calls beyond those
of the dense output. The reported time is the end of the final bracket on the far side of the
crossing, so g there already has its post-crossing sign (or is 0) and a restart from the
event state does not find the same crossing again; a g that is exactly 0 at the start of a
step is not a crossing. Two crossings of one g within one step cancel and are not seen (as in
SciPy): keep steps short compared with the events' spacing, or split the span.

Tolerances, in metres
---------------------
``rtol`` and ``atol`` bound the local error of each step component-wise in the RMS norm with
scale ``atol_i + rtol * max(|y_i|, |y1_i|)``, as in SciPy. For a Cowell state in km and km/s
the position part of ``atol`` is in km (1e-9 km = 1 micrometre); below, velocities get
1e-3 of it in km/s, as in :class:`cosmoplan.propagator.NumericalPropagator`. Position error
after 24 h, the worst of three LEO orbits (400 km at 51.6 deg, 700 km at 98.2 deg, 300 x
1000 km at 28.5 deg), EGM96 20x20, no drag, against Verner at rtol = 1e-15, atol = 1e-14 km
(DOP853 at 1e-14 agrees with it to 1-18 micrometres), with the right-hand sides spent on
the first orbit (``benchmarks/bench_integrators.py`` prints this table):

===================  =============  ======  =================  ======
rtol = atol_km       DOP853 error   rhs     Verner 9(8) error  rhs
===================  =============  ======  =================  ======
1e-8                 7.2 m          2930    0.87 m             4930
1e-9                 3.0 m          3926    27 mm              6194
1e-10                0.20 m         5280    8.7 mm             7954
1e-11                2.7 mm         7100    0.88 mm            10242
1e-12 (propagator)   1.8 mm         9509    0.066 mm           13346
1e-13                0.23 mm        12891   0.011 mm           17394
===================  =============  ======  =================  ======

DOP853's error is not proportional to the tolerance (its step control is SciPy's plain one),
but within about 3e7..2e9 m x rtol in LEO over a day: 1 m needs rtol = 1e-10, 1 mm 1e-13.
The propagator's defaults (rtol 1e-12, atol 1e-9 km) give 0.9 mm on the 400 km orbit; at
rtol = atol_km = 1e-12 the eccentric orbit ends 1.8 mm off, beyond the < 1 mm that the
propagator's docstring states for LEO. At 1 mm and below Verner is the cheaper: 0.066 mm
for 13346 rhs against DOP853's 0.23 mm for 12891; at looser accuracies the two are close.
The error grows with the number of revolutions (10 orbits of a 7000 km, e = 0.1 Kepler
ellipse at 1e-12: DOP853 0.5 mm, Verner 0.03 mm, ``tests/test_integrators.py``). Below
rtol = 1e-14 round-off dominates and the step count rises for nothing.

How the right-hand side and its arguments are passed (numba pattern)
---------------------------------------------------------------------
numba accepts a jitted function as an argument of a jitted function (typed
``types.Dispatcher``, tied to that function object) and a heterogeneous tuple, and compiles
``rhs(t, y, *args)`` (star-unpacking of the tuple) into a direct native call: it works with
:func:`cosmoplan.propagator._rhs_kernel` and its 35 arguments (ints, floats, a bool and 1- to
3-D arrays); there is no limit to work around. Two costs shape the design. (1) A function
that takes a dispatcher cannot be cached on disk (the cache key would hold the function
object), so whatever calls ``rhs`` is compiled once per process and right-hand side.
(2) Calling a large jitted function from such code makes numba link and LLVM re-optimise the
callee each time (about 2 s for this integrator). So the whole algorithm is a resumable state
machine, ``_advance``, that touches only arrays and is compiled once and cached on disk
(about 10-15 s the first time, 0.03 s to load afterwards); it returns whenever it needs
``rhs`` or ``event`` at some (t, y), and a 20-line driver, ``_drive``, the only code
specialised on ``rhs``, evaluates it and resumes the machine, which it reaches through a C
function pointer (a cached ``numba.cfunc`` taking a table of array addresses), so the driver
compiles in 0.2-0.9 s per right-hand side. Define the rhs once at module level (a new jitted
closure per call compiles anew each time), keep the types in ``args`` stable (float vs int,
C-contiguous, writable arrays), and call :func:`warm_up` to compile ahead of time-critical
code. The solvers are Python functions (input checks, then one compiled call); they are not
callable from inside other jitted code.

Status codes: 0 reached ``t1``; 1 stopped at a terminal event; 2 ``max_steps`` (accepted
plus rejected steps) exhausted; 3 step size underflow (``h`` below 10 ulp of ``t``, or no
usable step because the derivatives are not finite); 4 the state became infinite or NaN (RK4,
which has no error control; ``t_final`` and ``y_final`` are the last finite state).
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import numba
import numpy as np
from numba.core import cgutils
from numba.extending import intrinsic

from ._numba import jit
from .cislunar.cr3bp import _A as _DP_A12
from .cislunar.cr3bp import _B as _DP_B12
from .cislunar.cr3bp import _C as _DP_C12
from .cislunar.cr3bp import _E3 as _DP_E3
from .cislunar.cr3bp import _E5 as _DP_E5
from .cislunar.cr3bp import _finite
from .errors import InputError

__all__ = ["IntegrationResult", "dop853_solve", "verner98_solve", "rk4_solve", "warm_up",
           "STATUS_MESSAGES"]

STATUS_MESSAGES = {0: "reached the final time", 1: "terminal event",
                   2: "more steps than max_steps", 3: "step size underflow",
                   4: "the state became infinite or NaN"}

_DOP853, _VERN98, _RK4 = 0, 1, 2

# --------------------------------------------------------------------------------------
# DOP853: stages 1-12 from cr3bp (imported, not repeated); stage 13 is f(t + h, y1) (its A
# row is B), stages 14-16 and D give Hairer's order-7 dense output (contd8); SciPy's
# dop853_coefficients.py, Hairer's dop853.f.
_DP_A = np.zeros((16, 16))
_DP_A[:12, :12] = _DP_A12
_DP_A[12, :12] = _DP_B12
for _col, _val in ((0, 5.61675022830479523392909219681e-2),
                   (6, 2.53500210216624811088794765333e-1),
                   (7, -2.46239037470802489917441475441e-1),
                   (8, -1.24191423263816360469010140626e-1),
                   (9, 1.5329179827876569731206322685e-1),
                   (10, 8.20105229563468988491666602057e-3),
                   (11, 7.56789766054569976138603589584e-3),
                   (12, -8.298e-3)):
    _DP_A[13, _col] = _val
for _col, _val in ((0, 3.18346481635021405060768473261e-2),
                   (5, 2.83009096723667755288322961402e-2),
                   (6, 5.35419883074385676223797384372e-2),
                   (7, -5.49237485713909884646569340306e-2),
                   (10, -1.08347328697249322858509316994e-4),
                   (11, 3.82571090835658412954920192323e-4),
                   (12, -3.40465008687404560802977114492e-4),
                   (13, 1.41312443674632500278074618366e-1)):
    _DP_A[14, _col] = _val
for _col, _val in ((0, -4.28896301583791923408573538692e-1),
                   (5, -4.69762141536116384314449447206),
                   (6, 7.68342119606259904184240953878),
                   (7, 4.06898981839711007970213554331),
                   (8, 3.56727187455281109270669543021e-1),
                   (12, -1.39902416515901462129418009734e-3),
                   (13, 2.9475147891527723389556272149),
                   (14, -9.15095847217987001081870187138)):
    _DP_A[15, _col] = _val
_DP_C = np.concatenate([_DP_C12, [1.0, 0.1, 0.2, 7.0 / 9.0]])
_DP_B = np.concatenate([_DP_B12, np.zeros(4)])
_DP_E = np.zeros((2, 16))
_DP_E[0, :12] = _DP_E5
_DP_E[1, :12] = _DP_E3
_DP_D = np.zeros((4, 16))
for _row, _vals in (
        (0, ((0, -0.84289382761090128651353491142e+1), (5, 0.56671495351937776962531783590),
             (6, -0.30689499459498916912797304727e+1), (7, 0.23846676565120698287728149680e+1),
             (8, 0.21170345824450282767155149946e+1), (9, -0.87139158377797299206789907490),
             (10, 0.22404374302607882758541771650e+1), (11, 0.63157877876946881815570249290),
             (12, -0.88990336451333310820698117400e-1),
             (13, 0.18148505520854727256656404962e+2),
             (14, -0.91946323924783554000451984436e+1),
             (15, -0.44360363875948939664310572000e+1))),
        (1, ((0, 0.10427508642579134603413151009e+2), (5, 0.24228349177525818288430175319e+3),
             (6, 0.16520045171727028198505394887e+3), (7, -0.37454675472269020279518312152e+3),
             (8, -0.22113666853125306036270938578e+2), (9, 0.77334326684722638389603898808e+1),
             (10, -0.30674084731089398182061213626e+2),
             (11, -0.93321305264302278729567221706e+1),
             (12, 0.15697238121770843886131091075e+2),
             (13, -0.31139403219565177677282850411e+2),
             (14, -0.93529243588444783865713862664e+1),
             (15, 0.35816841486394083752465898540e+2))),
        (2, ((0, 0.19985053242002433820987653617e+2), (5, -0.38703730874935176555105901742e+3),
             (6, -0.18917813819516756882830838328e+3), (7, 0.52780815920542364900561016686e+3),
             (8, -0.11573902539959630126141871134e+2), (9, 0.68812326946963000169666922661e+1),
             (10, -0.10006050966910838403183860980e+1),
             (11, 0.77771377980534432092869265740),
             (12, -0.27782057523535084065932004339e+1),
             (13, -0.60196695231264120758267380846e+2),
             (14, 0.84320405506677161018159903784e+2),
             (15, 0.11992291136182789328035130030e+2))),
        (3, ((0, -0.25693933462703749003312586129e+2), (5, -0.15418974869023643374053993627e+3),
             (6, -0.23152937917604549567536039109e+3), (7, 0.35763911791061412378285349910e+3),
             (8, 0.93405324183624310003907691704e+2), (9, -0.37458323136451633156875139351e+2),
             (10, 0.10409964950896230045147246184e+3),
             (11, 0.29840293426660503123344363579e+2),
             (12, -0.43533456590011143754432175058e+2),
             (13, 0.96324553959188282948394950600e+2),
             (14, -0.39177261675615439165231486172e+2),
             (15, -0.14972683625798562581422125276e+3)))):
    for _col, _val in _vals:
        _DP_D[_row, _col] = _val

# --------------------------------------------------------------------------------------
# Verner's "most efficient" 9(8) pair with its order-9 interpolant, transcribed from
# OrdinaryDiffEq.jl, lib/OrdinaryDiffEqVerner/src/verner_tableaus.jl (Vern9Tableau,
# Vern9ExtraStages, Vern9InterpolationCoefficients, double-precision values), stage numbers
# 1-based as there. Stages 1-16 make the step; stage 17 (c = 1, row = b) is f(t + h, y1);
# stages 18-26 serve only the interpolant.
_V_C = {2: 0.03462, 3: 0.09702435063878045, 4: 0.14553652595817068, 5: 0.561,
        6: 0.22900791159048503, 7: 0.544992088409515, 8: 0.645, 9: 0.48375, 10: 0.06757,
        11: 0.25, 12: 0.6590650618730999, 13: 0.8206, 14: 0.9012, 15: 1.0, 16: 1.0, 17: 1.0,
        18: 0.7404185470631561, 19: 0.888, 20: 0.696, 21: 0.487, 22: 0.025, 23: 0.15,
        24: 0.32, 25: 0.78, 26: 0.96}
_V_ROWS = {
    2: {1: 0.03462},
    3: {1: -0.03893354388572875, 2: 0.13595789452450918},
    4: {1: 0.03638413148954267, 3: 0.10915239446862801},
    5: {1: 2.0257639143939694, 3: -7.638023836496291, 4: 6.173259922102322},
    6: {1: 0.05112275589406061, 4: 0.17708237945550218, 5: 0.0008027762409222536},
    7: {1: 0.13160063579752163, 4: -0.2957276252669636, 5: 0.08781378035642955,
        6: 0.6213052975225274},
    8: {1: 0.07166666666666667, 6: 0.33055335789153195, 7: 0.2427799754418014},
    9: {1: 0.071806640625, 6: 0.3294380283228177, 7: 0.1165190029271823, 8: -0.034013671875},
    10: {1: 0.04836757646340646, 6: 0.03928989925676164, 7: 0.10547409458903446,
         8: -0.021438652846483126, 9: -0.10412291746271944},
    11: {1: -0.026645614872014785, 6: 0.03333333333333333, 7: -0.1631072244872467,
         8: 0.03396081684127761, 9: 0.1572319413814626, 10: 0.21522674780318796},
    12: {1: 0.03689009248708622, 6: -0.1465181576725543, 7: 0.2242577768172024,
         8: 0.02294405717066073, 9: -0.0035850052905728597, 10: 0.08669223316444385,
         11: 0.43838406519683376},
    13: {1: -0.4866012215113341, 6: -6.304602650282853, 7: -0.2812456182894729,
         8: -2.679019236219849, 9: 0.5188156639241577, 10: 1.3653531876033418,
         11: 5.8850910885039465, 12: 2.8028087862720628},
    14: {1: 0.4185367457753472, 6: 6.724547581906459, 7: -0.42544428016461133,
         8: 3.3432791530012653, 9: 0.6170816631175374, 10: -0.9299661239399329,
         11: -6.099948804751011, 12: -3.002206187889399, 13: 0.2553202529443446},
    15: {1: -0.7793740861228848, 6: -13.937342538107776, 7: 1.2520488533793563,
         8: -14.691500408016868, 9: -0.494705058533141, 10: 2.2429749091462368,
         11: 13.367893803828643, 12: 14.396650486650687, 13: -0.79758133317768,
         14: 0.4409353709534278},
    16: {1: 2.0580513374668867, 6: 22.357937727968032, 7: 0.9094981099755646,
         8: 35.89110098240264, 9: -3.442515027624454, 10: -4.865481358036369,
         11: -18.909803813543427, 12: -34.26354448030452, 13: 1.2647565216956427},
    17: {1: 0.014611976858423152, 8: -0.3915211862331339, 9: 0.23109325002895065,
         10: 0.12747667699928525, 11: 0.2246434176204158, 12: 0.5684352689748513,
         13: 0.058258715572158275, 14: 0.13643174034822156, 15: 0.030570139830827976},
    18: {1: 0.015499736681895594, 8: 0.3355153219059635, 9: 0.20036139441918607,
         10: 0.12520606592835493, 11: 0.22986763931842066, 12: -0.20202506534761813,
         13: 0.05917103230665457, 14: -0.026518347830476387, 15: -0.023840946021309713,
         17: 0.027181715702085017},
    19: {1: 0.013024539431143383, 8: -0.7452850902413112, 9: 0.2643867896429301,
         10: 0.1313961758372754, 11: 0.21672538151229273, 12: 0.8734117564076053,
         13: 0.011859056439357767, 14: 0.05876002941689551, 15: 0.003266518630202088,
         17: -0.00895930864841793, 18: 0.06941415157202692},
    20: {1: 0.013970899969259426, 8: -0.46657653359576745, 9: 0.24163727872162571,
         10: 0.12903633413456747, 11: 0.22167006717351054, 12: 0.6257275123364645,
         13: 0.04355312415679284, 14: 0.10119624916672908, 15: 0.01808582254679721,
         17: -0.020798755876891697, 18: -0.09022232517086219, 19: -0.12127967356222542},
    21: {1: 0.016046388883181127, 8: 0.09517712399458336, 9: 0.13591872646553177,
         10: 0.1237765280959854, 11: 0.2335656264102966, 12: -0.09051508172625873,
         13: -0.02537574270006131, 14: -0.13596316968871622, 15: -0.04679214284145113,
         17: 0.05177958859391748, 18: 0.09672595677476774, 19: 0.14773126903407427,
         20: -0.11507507129585039},
    22: {1: 0.018029186238936207, 8: 0.06983601042028874, 9: -0.025412476607916634,
         10: 0.008487827035463275, 11: -0.002427525516089802, 12: -0.10478397528938199,
         13: -0.014731477952480419, 14: -0.03916338390816177, 15: -0.010056573432939595,
         17: 0.011025103922048344, 18: 0.005092830749095398, 19: 0.04759715599420645,
         20: 0.03386307003288383, 21: 0.02764422831404798},
    23: {1: 0.01677431640522778, 8: 0.6220437408820475, 9: -0.2060859809768842,
         10: 0.11563949897660589, 11: 0.026641017933783588, 12: -0.937681079341877,
         13: -0.13678064667021603, 14: -0.3678480995268297, 15: -0.09547871314402478,
         17: 0.10134920184223697, 18: -0.08911323084568594, 19: 0.46641409889747604,
         20: 0.450273629235458, 21: 0.18385224633268188},
    24: {1: 0.010711497314914442, 8: -0.07094336118221108, 9: 0.10021649003400916,
         10: 0.13834539804680251, 11: 0.17963306335781634, 12: 0.09048246545576182,
         13: -0.005460662294523339, 14: -0.030004579051196197, 15: -0.011451920269627991,
         17: 0.010033946861093851, 18: -0.09506485282809046, 19: 0.04853358804093592,
         20: 0.08013325919783924, 21: -0.1251643326835242},
    25: {1: 0.014101720888692213, 8: -0.3713379753704491, 9: 0.22312655481171803,
         10: 0.12870053459181202, 11: 0.22246006596754947, 12: 0.5382853042550702,
         13: 0.05417202616988763, 14: 0.1256968791308744, 15: 0.027844927890020542,
         17: -0.0307740924620506, 18: 0.008569805293689777, 19: -0.15351746905870445,
         20: -0.021799570305481963, 21: 0.014471288197371868},
    26: {1: 0.014246004117356466, 8: -0.3767107393295407, 9: 0.22523997807304214,
         10: 0.128360307629253, 11: 0.22302387052616926, 12: 0.5463127827750747,
         13: 0.0552619079137578, 14: 0.12856135087499826, 15: 0.028572506812964065,
         17: -0.02398761886357109, 18: 0.055562244589105095, 19: -0.017406756507628386,
         20: -0.03815462365996979, 21: 0.011118785048989178},
}
# 9th-order weights b (= row 17) and btilde = b - bhat (bhat: the 8th-order embedded weights)
_V_BTILDE = {1: -0.005357988290444578, 8: -2.583020491182464, 9: 0.14252253154686625,
             10: 0.013420653512688676, 11: -0.02867296291409493, 12: 2.624999655215792,
             13: -0.2825509643291537, 14: 0.13643174034822156, 15: 0.030570139830827976,
             16: -0.04834231373823958}
# interpolant b_i(theta) = sum_p r_ip theta^p, p = 1..9 (r_i1 = 0 except stage 1)
_V_R = {
    1: (1.0, -28.330488700617398, 257.6535452078578, -1152.1544557434572, 2909.390878345409,
        -4355.005172868188, 3834.083497036262, -1835.419052683407, 368.7958613829998),
    8: (0.0, 2.649656243770091, -96.30312807816006, 869.3095462492796, -3395.688567551074,
        6796.933987158715, -7340.848417712072, 4082.8488969923656, -919.2934944890586),
    9: (0.0, -1.5639451819287329, 56.8423973927286, -513.1052300304285, 2004.2867021103232,
        -4011.8533059139295, 4332.895839278586, -2409.8793479371448, 542.6079835318221),
    10: (0.0, -0.8627103334967224, 31.355653751851733, -283.0413682227354, 1105.613463426007,
         -2213.0362006784526, 2390.1310977541207, -1329.3482661468738, 299.31580712657853),
    11: (0.0, -1.5202953379012147, 55.25592121120227, -498.7844190970741, 1948.346888525776,
         -3899.8821364075516, 4211.964345158858, -2342.619408856117, 527.4637482204279),
    12: (0.0, -3.8469388441255234, 139.81898409868404, -1262.1186876216004, 4930.075848057311,
         -9868.21948606954, 10657.908924348867, -5927.738759872814, 1334.688551172191),
    13: (0.0, -0.39427130612001415, 14.329994760676497, -129.35406659945582,
         505.28160770025175, -1011.3900801394333, 1092.3250517818917, -607.531701930281,
         136.79172444804232),
    14: (0.0, -0.9233145622082102, 33.55834582309799, -302.9246397549736, 1183.2813069678675,
         -2368.4989867901113, 2558.034559755808, -1422.7331755778803, 320.3423358787482),
    15: (0.0, -0.20688628029300538, 7.519388975651663, -67.87605708082904, 265.136799698415,
         -530.7074807559026, 573.176549564149, -318.7905688834869, 71.77882490212657),
    17: (0.0, -0.44724419067440996, 16.44684676010504, -154.40861059212955, 641.8986298540249,
         -1391.9392256879823, 1643.890568302952, -1004.0652972233179, 248.6243327770223),
    18: (0.0, -0.1507876007899798, 5.527328824824632, -51.33833743084619, 209.60220027032804,
         -442.7692650421826, 505.0579312588053, -295.63364106156195, 69.70457078142275),
    19: (0.0, -0.6413652207435296, 23.510132486246846, -218.36426832469724, 891.5292818535365,
         -1883.290177206008, 2148.2309544883997, -1257.4584015217124, 296.4838434449778),
    20: (0.0, 1.8107293134448457, -66.37479657295337, 616.4952025401107, -2517.0030307773227,
         5316.984175781034, -6064.976140789574, 3550.1095388883914, -837.0456783831302),
    21: (0.0, 0.05176008760353718, -1.8973378625803488, 17.622648207936294, -71.94907400242467,
         151.9871383765666, -173.36864987478606, 101.4806461521468, -23.927131084462175),
    22: (0.0, 31.321782556688, -355.6570858339106, 1752.6852824895159, -4708.092293138363,
         7370.900776193489, -6716.504964764566, 3303.940398161186, -678.5938956640391),
    23: (0.0, -2.7196073341859246, 86.64045615858264, -454.1926030939031, 1014.7492211005434,
         -1133.583456714544, 610.4671827718666, -109.02334994495438, -12.337842943405471),
    24: (0.0, 3.1772148014329233, -113.8098697715143, 978.0935981825675, -3575.1293776236703,
         6764.3615198384505, -6987.161043852012, 3751.9057627895713, -821.4378043648254),
    25: (0.0, 0.877284308346553, -31.51810423988375, 273.1229151353221, -993.2198643101782,
         1787.888078312664, -1677.394835799641, 781.3579535062688, -141.11342691289855),
    26: (0.0, 1.7194275817987157, -62.89867309250732, 580.333550787398, -2348.110620506761,
         4921.119298612906, -5597.912448707917, 3288.5977751496216, -782.8483098245397),
}
_V_A = np.zeros((26, 26))
_V_CC = np.zeros(26)
for _stage, _row in _V_ROWS.items():
    _V_CC[_stage - 1] = _V_C[_stage]
    for _col, _val in _row.items():
        _V_A[_stage - 1, _col - 1] = _val
_V_B = _V_A[16].copy()  # the 9th-order weights (stage 17 evaluates f(t + h, y1))
_V_E = np.zeros((2, 26))
for _col, _val in _V_BTILDE.items():
    _V_E[0, _col - 1] = _val
_V_RT = np.zeros((9, 26))  # _V_RT[p - 1, i - 1] = r_ip
for _stage, _coefs in _V_R.items():
    _V_RT[:, _stage - 1] = _coefs

# step-size control: factor 0.9 err^-beta1 errold^beta2 within 0.2..10 (no growth after a
# rejection); DOP853: beta1 = 1/8, beta2 = 0, SciPy's and Hairer's; Verner: PI control
_CONTROL = {0: (1.0 / 8.0, 0.0), 1: (0.7 / 9.0, 0.4 / 9.0), 2: (0.0, 0.0)}

# classical RK4
_RK4_A = np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0],
                   [0.0, 0.0, 1.0, 0.0]])
_RK4_C = np.array([0.0, 0.5, 0.5, 1.0])
_RK4_B = np.array([1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0])

# method: (A, C, B, E (error weights), dense-output coefficients, stages of a step, order of
# the error estimate + 1 (initial-step rule), row of f(t + h, y1) in the stage array)
_TABLEAUS = {
    _DOP853: (_DP_A, _DP_C, _DP_B, _DP_E, _DP_D, 12, 8.0, 12),
    _VERN98: (_V_A, _V_CC, _V_B, _V_E, _V_RT, 16, 9.0, 16),
    _RK4: (_RK4_A, _RK4_C, _RK4_B, np.zeros((2, 4)), np.zeros((1, 4)), 4, 4.0, 4),
}


class IntegrationResult(NamedTuple):
    """What the solvers return.

    Attributes
    ----------
    status : int
        0 reached ``t1``; 1 terminal event; 2 ``max_steps`` exhausted; 3 step size underflow;
        4 non-finite state, RK4 only (:data:`STATUS_MESSAGES`).
    t_final : float
        Time reached (``t1``, the terminal event's time, or where the integration stopped).
    y_final : ndarray, shape (n,)
        State at ``t_final``.
    y_out : ndarray, shape (len(t_out), n)
        States at ``t_out``; rows past ``t_final`` (after an event or a failure) are NaN.
    n_steps : int
        Accepted steps.
    n_rhs : int
        Right-hand-side evaluations (initial derivative and initial-step probe included).
    n_rejected : int
        Rejected steps (0 for RK4).
    t_events : ndarray, shape (k,)
        Times of the events found, in time order (non-terminal ones, then the terminal one).
    y_events : ndarray, shape (k, n)
        States there (from the dense output).
    event_index : ndarray of int, shape (k,)
        Which component of the event function crossed zero.
    """

    status: int
    t_final: float
    y_final: np.ndarray
    y_out: np.ndarray
    n_steps: int
    n_rhs: int
    n_rejected: int
    t_events: np.ndarray
    y_events: np.ndarray
    event_index: np.ndarray


# --------------------------------------------------------------------------------------
# coefficient-only kernels (cached on disk)
@jit
def _lincomb(y, K, coef, ns, h, out):
    """out = y + h * sum_{j < ns} coef[j] K[j] (zero coefficients skipped)."""
    n = y.shape[0]
    for i in range(n):
        out[i] = 0.0
    for j in range(ns):
        a = coef[j]
        if a != 0.0:
            for i in range(n):
                out[i] += a * K[j, i]
    for i in range(n):
        out[i] = y[i] + h * out[i]


@jit
def _error_norm(method, y, ynew, K, E, ns, h, rtol, atol):
    """Scaled error of a step, < 1 accepts it (SciPy's norms for DOP853 and RK pairs)."""
    n = y.shape[0]
    e1 = 0.0
    e2 = 0.0
    for i in range(n):
        sc = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
        a1 = 0.0
        a2 = 0.0
        for j in range(ns):
            k = K[j, i]
            a1 += E[0, j] * k
            a2 += E[1, j] * k
        a1 /= sc
        a2 /= sc
        e1 += a1 * a1
        e2 += a2 * a2
    if method == 0:  # Hairer's dop853 norm: |h| e5^2 / sqrt((e5^2 + 0.01 e3^2) n)
        if e1 == 0.0 and e2 == 0.0:
            return 0.0
        return abs(h) * e1 / np.sqrt((e1 + 0.01 * e2) * n)
    return abs(h) * np.sqrt(e1 / n)


@jit
def _dense_coefficients(method, y, ynew, f1, K, Dc, h, P):
    """Dense-output coefficients of a step into P (DOP853: Hairer's F, 7 rows; Verner: the
    monomial coefficients of theta^1..theta^9, 9 rows)."""
    n = y.shape[0]
    if method == 0:
        for i in range(n):
            dy = ynew[i] - y[i]
            P[0, i] = dy
            P[1, i] = h * K[0, i] - dy
            P[2, i] = 2.0 * dy - h * (f1[i] + K[0, i])
        for r in range(Dc.shape[0]):
            for i in range(n):
                acc = 0.0
                for j in range(Dc.shape[1]):
                    d = Dc[r, j]
                    if d != 0.0:
                        acc += d * K[j, i]
                P[3 + r, i] = h * acc
    elif method == 1:
        for r in range(Dc.shape[0]):
            for i in range(n):
                acc = 0.0
                for j in range(Dc.shape[1]):
                    d = Dc[r, j]
                    if d != 0.0:
                        acc += d * K[j, i]
                P[r, i] = h * acc


@jit
def _dense_eval(method, P, y, ynew, f0, f1, h, x, out):
    """State at theta = x in [0, 1] of the step from (y, f0) to (ynew, f1), into out."""
    n = y.shape[0]
    if method == 0:  # Hairer's contd8 (as SciPy's Dop853DenseOutput)
        for i in range(n):
            acc = 0.0
            for r in range(6, -1, -1):
                acc += P[r, i]
                if (6 - r) % 2 == 0:
                    acc *= x
                else:
                    acc *= 1.0 - x
            out[i] = y[i] + acc
    elif method == 1:  # y + sum_p theta^p Q_p (Horner)
        m = P.shape[0]
        for i in range(n):
            acc = 0.0
            for r in range(m - 1, -1, -1):
                acc = (acc + P[r, i]) * x
            out[i] = y[i] + acc
    else:  # cubic Hermite
        x2 = x * x
        x3 = x2 * x
        h00 = 2.0 * x3 - 3.0 * x2 + 1.0
        h10 = x3 - 2.0 * x2 + x
        h01 = -2.0 * x3 + 3.0 * x2
        h11 = x3 - x2
        for i in range(n):
            out[i] = h00 * y[i] + h01 * ynew[i] + h * (h10 * f0[i] + h11 * f1[i])


# --------------------------------------------------------------------------------------
# The integration loop is a resumable state machine, _advance, that works only on arrays (so
# numba caches it on disk): it runs until it needs f(t, y) or g(t, y) at t = S[_T_REQ],
# y = ytmp, and returns a request; _drive, the only code compiled per right-hand side,
# evaluates it and calls _advance again.
_REQ_DONE, _REQ_RHS, _REQ_EVENT, _REQ_GROW = 0, 1, 2, 3
# integer state I[...]
(_ROW, _PH, _RET, _STATUS, _NSTEPS, _NREJ, _NRHS, _NOUT, _STAGE, _METHOD, _NS, _FSAL,
 _MAXSTEPS, _DENSE, _REJECTED, _EVK, _NF, _Q, _NEV, _HASEV, _BRENTIT, _SORTED) = range(22)
_N_INT = 22
# float state S[...]
(_T_REQ, _T, _T0, _T1, _SGN, _H, _HABS, _TNEW, _RTOL, _EXPO, _HSTART, _MINSTEP, _XSTOP,
 _EVTOL, _H0I, _D0I, _D1I, _XPRE, _XCUR, _XBLK, _FPRE, _FCUR, _FBLK, _SPRE, _SCUR, _POST,
 _XROOT, _BETA1, _BETA2, _ERROLD) = range(30)
_N_FLOAT = 30
# phases
(_P_START, _P_G0, _P_F0, _P_INIT, _P_STEP, _P_ATTEMPT, _P_STAGE, _P_ACCEPT, _P_F1, _P_EVNEW,
 _P_EVSCAN, _P_DENSE, _P_ROOT0, _P_BRENT, _P_BRENTEVAL, _P_ROOTDONE, _P_EVREC,
 _P_OUT) = range(18)


@jit
def _advance(I, S, y, ynew, ytmp, K, P, y_out, t_out, atol, A, C, B, E, Dc, g_old, g_new, gv,
             xs, ks, ordr, ev_dir, ev_term, t_ev, y_ev, k_ev):
    """Run the integration until a function value is needed; return the request."""
    n = y.shape[0]
    m = t_out.shape[0]
    m_ev = g_old.shape[0]
    method = I[_METHOD]
    ns = I[_NS]
    fsal = I[_FSAL]
    scratch = K.shape[0] - 1
    n_total = A.shape[0]
    sgn = S[_SGN]
    while True:
        ph = I[_PH]
        if ph == _P_START:
            n_out = 0
            while n_out < m and sgn * (t_out[n_out] - S[_T]) <= 0.0:
                y_out[n_out, :] = y
                n_out += 1
            I[_NOUT] = n_out
            I[_PH] = _P_G0
            if I[_HASEV]:
                ytmp[:] = y
                S[_T_REQ] = S[_T]
                return _REQ_EVENT
        elif ph == _P_G0:
            if I[_HASEV]:
                g_old[:] = gv
            if S[_T1] == S[_T]:
                I[_STATUS] = 0
                return _REQ_DONE
            ytmp[:] = y
            S[_T_REQ] = S[_T]
            I[_ROW] = 0
            I[_NRHS] += 1
            I[_PH] = _P_F0
            return _REQ_RHS
        elif ph == _P_F0:
            if method == 2:
                S[_HABS] = S[_HSTART]
                I[_PH] = _P_STEP
            elif S[_HSTART] > 0.0:
                S[_HABS] = min(S[_HSTART], abs(S[_T1] - S[_T]))
                I[_PH] = _P_STEP
            else:  # SciPy's select_initial_step (Hairer et al. 1993, sec. II.4)
                d0 = 0.0
                d1 = 0.0
                for i in range(n):
                    sc = atol[i] + S[_RTOL] * abs(y[i])
                    d0 += (y[i] / sc) ** 2
                    d1 += (K[0, i] / sc) ** 2
                d0 = np.sqrt(d0 / n)
                d1 = np.sqrt(d1 / n)
                h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
                if not h0 > 0.0:  # derivatives overflow or are NaN: no usable step
                    h0 = 0.0
                h0 = min(h0, abs(S[_T1] - S[_T]))
                S[_H0I] = h0
                S[_D1I] = d1
                for i in range(n):
                    ytmp[i] = y[i] + sgn * h0 * K[0, i]
                S[_T_REQ] = S[_T] + sgn * h0
                I[_ROW] = scratch
                I[_NRHS] += 1
                I[_PH] = _P_INIT
                return _REQ_RHS
        elif ph == _P_INIT:
            h0 = S[_H0I]
            d1 = S[_D1I]
            d2 = 0.0
            for i in range(n):
                sc = atol[i] + S[_RTOL] * abs(y[i])
                d2 += ((K[scratch, i] - K[0, i]) / sc) ** 2
            if h0 > 0.0:
                d2 = np.sqrt(d2 / n) / h0
                if d1 <= 1e-15 and d2 <= 1e-15:
                    h1 = max(1e-6, h0 * 1e-3)
                else:
                    h1 = (0.01 / max(d1, d2)) ** (1.0 / S[_EXPO])
                S[_HABS] = min(100.0 * h0, h1, abs(S[_T1] - S[_T]))
            else:  # the smallest step: it fails with status 3 if the derivatives stay so
                S[_HABS] = 0.0
            I[_PH] = _P_STEP
        elif ph == _P_STEP:
            t = S[_T]
            if method == 2:
                if I[_NSTEPS] >= I[_MAXSTEPS]:
                    I[_STATUS] = 2
                    return _REQ_DONE
                t_new = S[_T0] + sgn * (I[_NSTEPS] + 1) * S[_HABS]
                if sgn * (S[_T1] - t_new) <= 1e-9 * S[_HABS]:
                    t_new = S[_T1]
                S[_TNEW] = t_new
                S[_H] = t_new - t
                I[_STAGE] = 1
                I[_PH] = _P_STAGE
            else:
                min_step = 10.0 * abs(np.nextafter(t, sgn * np.inf) - t)
                S[_MINSTEP] = min_step
                if S[_HABS] < min_step:
                    S[_HABS] = min_step
                I[_REJECTED] = 0
                I[_PH] = _P_ATTEMPT
        elif ph == _P_ATTEMPT:
            if I[_NSTEPS] + I[_NREJ] >= I[_MAXSTEPS]:
                I[_STATUS] = 2
                return _REQ_DONE
            if not S[_HABS] >= S[_MINSTEP]:  # (a NaN step size too)
                I[_STATUS] = 3
                return _REQ_DONE
            t_new = S[_T] + sgn * S[_HABS]
            if sgn * (t_new - S[_T1]) > 0.0:
                t_new = S[_T1]
            S[_TNEW] = t_new
            S[_H] = t_new - S[_T]
            S[_HABS] = abs(S[_H])
            I[_STAGE] = 1
            I[_PH] = _P_STAGE
        elif ph == _P_STAGE:
            s = I[_STAGE]
            if s < ns:
                _lincomb(y, K, A[s], s, S[_H], ytmp)
                S[_T_REQ] = S[_T] + C[s] * S[_H]
                I[_ROW] = s
                I[_STAGE] = s + 1
                I[_NRHS] += 1
                return _REQ_RHS
            _lincomb(y, K, B, ns, S[_H], ynew)
            if method == 2:
                for i in range(n):  # no error control: stop where the state overflows
                    if not np.isfinite(ynew[i]):
                        I[_STATUS] = 4
                        return _REQ_DONE
                I[_PH] = _P_ACCEPT
            else:
                err = _error_norm(method, y, ynew, K, E, ns, S[_H], S[_RTOL], atol)
                if err < 1.0:
                    # I controller (beta2 = 0, SciPy's) or PI controller (Gustafsson 1991)
                    if err == 0.0:
                        fac = 10.0
                    else:
                        fac = min(10.0, max(0.2, 0.9 * err ** (-S[_BETA1])
                                            * S[_ERROLD] ** S[_BETA2]))
                    if I[_REJECTED]:
                        fac = min(1.0, fac)
                    S[_HABS] *= fac
                    S[_ERROLD] = max(err, 1e-4)
                    I[_PH] = _P_ACCEPT
                else:
                    if err != err:  # NaN: shrink as SciPy does
                        fac = 0.2
                    else:
                        fac = max(0.2, 0.9 * err ** (-S[_BETA1]))
                    S[_HABS] *= fac
                    I[_REJECTED] = 1
                    I[_NREJ] += 1
                    I[_PH] = _P_ATTEMPT
        elif ph == _P_ACCEPT:
            I[_NSTEPS] += 1
            ytmp[:] = ynew
            S[_T_REQ] = S[_TNEW]
            I[_ROW] = fsal
            I[_NRHS] += 1
            I[_PH] = _P_F1
            return _REQ_RHS
        elif ph == _P_F1:
            I[_DENSE] = 1 if method == 2 else 0
            S[_XSTOP] = 2.0
            if I[_HASEV]:
                ytmp[:] = ynew
                S[_T_REQ] = S[_TNEW]
                I[_PH] = _P_EVNEW
                return _REQ_EVENT
            I[_PH] = _P_OUT
        elif ph == _P_EVNEW:
            g_new[:] = gv
            I[_EVK] = 0
            I[_NF] = 0
            I[_PH] = _P_EVSCAN
        elif ph == _P_EVSCAN:
            k = I[_EVK]
            if k >= m_ev:
                I[_Q] = 0
                I[_SORTED] = 0
                I[_PH] = _P_EVREC
                continue
            go = g_old[k]
            gn = g_new[k]
            d = ev_dir[k]
            if not ((go < 0.0 and gn >= 0.0 and d >= 0) or (go > 0.0 and gn <= 0.0 and d <= 0)):
                I[_EVK] = k + 1
                continue
            if I[_DENSE] == 0:
                I[_RET] = _P_ROOT0
                I[_STAGE] = fsal + 1
                I[_PH] = _P_DENSE
            else:
                I[_PH] = _P_ROOT0
        elif ph == _P_DENSE:
            s = I[_STAGE]
            if s < n_total:
                _lincomb(y, K, A[s], s, S[_H], ytmp)
                S[_T_REQ] = S[_T] + C[s] * S[_H]
                I[_ROW] = s
                I[_STAGE] = s + 1
                I[_NRHS] += 1
                return _REQ_RHS
            _dense_coefficients(method, y, ynew, K[fsal], K, Dc, S[_H], P)
            I[_DENSE] = 1
            I[_PH] = I[_RET]
        elif ph == _P_ROOT0:
            k = I[_EVK]
            g_hi = g_new[k]
            if g_hi == 0.0:
                S[_XROOT] = 1.0
                I[_PH] = _P_ROOTDONE
                continue
            S[_POST] = 1.0 if g_hi > 0.0 else -1.0
            S[_XPRE] = 0.0
            S[_XCUR] = 1.0
            S[_FPRE] = g_old[k]
            S[_FCUR] = g_hi
            S[_XBLK] = 0.0
            S[_FBLK] = 0.0
            S[_SPRE] = 0.0
            S[_SCUR] = 0.0
            I[_BRENTIT] = 0
            I[_PH] = _P_BRENT
        elif ph == _P_BRENT:  # Brent's method as SciPy's brentq, on theta in [0, 1]
            xpre = S[_XPRE]
            xcur = S[_XCUR]
            xblk = S[_XBLK]
            fpre = S[_FPRE]
            fcur = S[_FCUR]
            fblk = S[_FBLK]
            spre = S[_SPRE]
            scur = S[_SCUR]
            if fpre != 0.0 and fcur != 0.0 and (fpre < 0.0) != (fcur < 0.0):
                xblk = xpre
                fblk = fpre
                spre = xcur - xpre
                scur = spre
            if abs(fblk) < abs(fcur):
                xpre = xcur
                xcur = xblk
                xblk = xpre
                fpre = fcur
                fcur = fblk
                fblk = fpre
            # bracket [xcur, xblk] shorter than 2 delta = xtol / 2 at the end
            delta = 0.25 * S[_EVTOL] / abs(S[_H]) + 4.0 * 2.2e-16 * abs(xcur)
            sbis = 0.5 * (xblk - xcur)
            if fcur == 0.0 or abs(sbis) < delta or I[_BRENTIT] >= 200:
                # the bracket end where g has its post-crossing sign (or is 0)
                if fcur == 0.0 or (fcur > 0.0) == (S[_POST] > 0.0):
                    S[_XROOT] = xcur
                else:
                    S[_XROOT] = xblk
                I[_PH] = _P_ROOTDONE
                continue
            if abs(spre) > delta and abs(fcur) < abs(fpre):
                if xpre == xblk:
                    stry = -fcur * (xcur - xpre) / (fcur - fpre)
                else:
                    dpre = (fpre - fcur) / (xpre - xcur)
                    dblk = (fblk - fcur) / (xblk - xcur)
                    stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
                if 2.0 * abs(stry) < min(abs(spre), 3.0 * abs(sbis) - delta):
                    spre = scur
                    scur = stry
                else:
                    spre = sbis
                    scur = sbis
            else:
                spre = sbis
                scur = sbis
            xpre = xcur
            fpre = fcur
            if abs(scur) > delta:
                xcur += scur
            else:
                xcur += delta if sbis > 0.0 else -delta
            S[_XPRE] = xpre
            S[_XCUR] = xcur
            S[_XBLK] = xblk
            S[_FPRE] = fpre
            S[_FBLK] = fblk
            S[_SPRE] = spre
            S[_SCUR] = scur
            _dense_eval(method, P, y, ynew, K[0], K[fsal], S[_H], xcur, ytmp)
            S[_T_REQ] = S[_T] + xcur * S[_H]
            I[_BRENTIT] += 1
            I[_PH] = _P_BRENTEVAL
            return _REQ_EVENT
        elif ph == _P_BRENTEVAL:
            S[_FCUR] = gv[I[_EVK]]
            I[_PH] = _P_BRENT
        elif ph == _P_ROOTDONE:
            nf = I[_NF]
            k = I[_EVK]
            xs[nf] = S[_XROOT]
            ks[nf] = k
            if ev_term[k] and xs[nf] < S[_XSTOP]:
                S[_XSTOP] = xs[nf]
            I[_NF] = nf + 1
            I[_EVK] = k + 1
            I[_PH] = _P_EVSCAN
        elif ph == _P_EVREC:
            nf = I[_NF]
            if I[_SORTED] == 0:  # insertion sort of the roots found in this step
                for q in range(nf):
                    ordr[q] = q
                for q in range(1, nf):
                    j = ordr[q]
                    r = q - 1
                    while r >= 0 and xs[ordr[r]] > xs[j]:
                        ordr[r + 1] = ordr[r]
                        r -= 1
                    ordr[r + 1] = j
                I[_SORTED] = 1
            q = I[_Q]
            while q < nf:
                j = ordr[q]
                if xs[j] <= S[_XSTOP]:
                    if I[_NEV] == t_ev.shape[0]:
                        I[_Q] = q
                        return _REQ_GROW
                    e = I[_NEV]
                    if xs[j] == 1.0:
                        t_ev[e] = S[_TNEW]
                        y_ev[e, :] = ynew
                    else:
                        t_ev[e] = S[_T] + xs[j] * S[_H]
                        _dense_eval(method, P, y, ynew, K[0], K[fsal], S[_H], xs[j], y_ev[e])
                    k_ev[e] = ks[j]
                    I[_NEV] = e + 1
                q += 1
            I[_Q] = q
            g_old[:] = g_new
            I[_PH] = _P_OUT
        elif ph == _P_OUT:
            t = S[_T]
            h = S[_H]
            t_new = S[_TNEW]
            x_stop = S[_XSTOP]
            t_end = t_new if x_stop >= 1.0 else t + x_stop * h
            n_out = I[_NOUT]
            need_dense = False
            while n_out < m and sgn * (t_out[n_out] - t_end) < 0.0:
                if I[_DENSE] == 0:
                    need_dense = True
                    break
                _dense_eval(method, P, y, ynew, K[0], K[fsal], h, (t_out[n_out] - t) / h,
                            y_out[n_out])
                n_out += 1
            I[_NOUT] = n_out
            if need_dense:
                I[_RET] = _P_OUT
                I[_STAGE] = fsal + 1
                I[_PH] = _P_DENSE
                continue
            if x_stop <= 1.0:  # terminal event: stop there
                e = I[_NEV] - 1
                while n_out < m and t_out[n_out] == t_end:
                    y_out[n_out, :] = y_ev[e]
                    n_out += 1
                I[_NOUT] = n_out
                S[_T] = t_end
                y[:] = y_ev[e]
                I[_STATUS] = 1
                return _REQ_DONE
            while n_out < m and t_out[n_out] == t_new:
                y_out[n_out, :] = ynew
                n_out += 1
            I[_NOUT] = n_out
            S[_T] = t_new
            y[:] = ynew
            K[0, :] = K[fsal]
            if t_new == S[_T1]:
                I[_STATUS] = 0
                return _REQ_DONE
            I[_PH] = _P_STEP
        else:  # pragma: no cover - corrupted state
            I[_STATUS] = -1
            return _REQ_DONE


# _advance is reached from the per-rhs driver through a C function pointer (a cached numba
# cfunc that rebuilds the arrays from a table of addresses and sizes): calling the jitted
# _advance directly would link its code into every driver and have LLVM optimise it again
# for each right-hand side (about 2 s each time); through the pointer a driver compiles in
# about 0.3 s.
(_A_I, _A_S, _A_Y, _A_YNEW, _A_YTMP, _A_K, _A_P, _A_YOUT, _A_TOUT, _A_ATOL, _A_A, _A_C, _A_B,
 _A_E, _A_DC, _A_GOLD, _A_GNEW, _A_GV, _A_XS, _A_KS, _A_ORD, _A_EVDIR, _A_EVTERM, _A_TEV,
 _A_YEV, _A_KEV, _D_N, _D_M, _D_KROWS, _D_PROWS, _D_NT, _D_ECOLS, _D_DROWS, _D_DCOLS, _D_MEV,
 _D_CAP) = range(36)
_TAB_LEN = 36


@intrinsic
def _voidptr(typingctx, address):
    """An integer address as a void pointer (for numba.carray)."""
    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return numba.types.voidptr(address), codegen


def _advance_from_table(tab_address):
    tab = numba.carray(_voidptr(tab_address), (_TAB_LEN,), np.int64)
    n = tab[_D_N]
    m = tab[_D_M]
    nt = tab[_D_NT]
    m_ev = tab[_D_MEV]
    cap = tab[_D_CAP]
    f8 = np.float64
    i8 = np.int64
    return _advance(
        numba.carray(_voidptr(tab[_A_I]), (_N_INT,), i8),
        numba.carray(_voidptr(tab[_A_S]), (_N_FLOAT,), f8),
        numba.carray(_voidptr(tab[_A_Y]), (n,), f8),
        numba.carray(_voidptr(tab[_A_YNEW]), (n,), f8),
        numba.carray(_voidptr(tab[_A_YTMP]), (n,), f8),
        numba.carray(_voidptr(tab[_A_K]), (tab[_D_KROWS], n), f8),
        numba.carray(_voidptr(tab[_A_P]), (tab[_D_PROWS], n), f8),
        numba.carray(_voidptr(tab[_A_YOUT]), (m, n), f8),
        numba.carray(_voidptr(tab[_A_TOUT]), (m,), f8),
        numba.carray(_voidptr(tab[_A_ATOL]), (n,), f8),
        numba.carray(_voidptr(tab[_A_A]), (nt, nt), f8),
        numba.carray(_voidptr(tab[_A_C]), (nt,), f8),
        numba.carray(_voidptr(tab[_A_B]), (nt,), f8),
        numba.carray(_voidptr(tab[_A_E]), (2, tab[_D_ECOLS]), f8),
        numba.carray(_voidptr(tab[_A_DC]), (tab[_D_DROWS], tab[_D_DCOLS]), f8),
        numba.carray(_voidptr(tab[_A_GOLD]), (m_ev,), f8),
        numba.carray(_voidptr(tab[_A_GNEW]), (m_ev,), f8),
        numba.carray(_voidptr(tab[_A_GV]), (m_ev,), f8),
        numba.carray(_voidptr(tab[_A_XS]), (m_ev,), f8),
        numba.carray(_voidptr(tab[_A_KS]), (m_ev,), i8),
        numba.carray(_voidptr(tab[_A_ORD]), (m_ev,), i8),
        numba.carray(_voidptr(tab[_A_EVDIR]), (m_ev,), i8),
        numba.carray(_voidptr(tab[_A_EVTERM]), (m_ev,), i8),
        numba.carray(_voidptr(tab[_A_TEV]), (cap,), f8),
        numba.carray(_voidptr(tab[_A_YEV]), (cap, n), f8),
        numba.carray(_voidptr(tab[_A_KEV]), (cap,), i8))


_ADVANCE = []


def _advance_pointer():
    """The ctypes function calling _advance (compiled, or loaded from numba's cache, once)."""
    if not _ADVANCE:
        sig = numba.types.int64(numba.types.uint64)
        try:
            cf = numba.cfunc(sig, cache=True)(_advance_from_table)
        except RuntimeError as exc:  # no writable cache location (see cosmoplan._numba)
            if "cannot cache" not in str(exc):
                raise
            cf = numba.cfunc(sig)(_advance_from_table)
        _ADVANCE.extend([cf, ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_uint64)(cf.address)])
    return _ADVANCE[1]


@numba.njit
def _drive(advance, rhs, args, event, event_args, tab, S, I, ytmp, K, gv):
    """Evaluate what _advance asks for until it is done or needs more event storage (the
    only code compiled per rhs and event; kept small, it compiles in about 0.2-0.3 s)."""
    while True:
        req = advance(tab.ctypes.data)
        if req == 1:
            f = rhs(S[0], ytmp, *args)
            r = I[0]
            for i in range(ytmp.shape[0]):
                K[r, i] = f[i]
        elif req == 2:
            if event is not None:
                g = np.atleast_1d(np.asarray(event(S[0], ytmp, *event_args)))
                for i in range(gv.shape[0]):
                    gv[i] = g[i]
        else:
            return req


# --------------------------------------------------------------------------------------
def _check_callable(fn, name):
    if not isinstance(fn, numba.core.registry.CPUDispatcher):
        raise InputError(f"{name} must be a numba-jitted function (numba.njit or "
                         f"cosmoplan._numba.jit), got {type(fn).__name__}",
                         source=f"argument {name!r}", field=name)


_finite_float = _finite  # cr3bp's check: a finite float, else InputError naming it


def _call(fn, name, t0, y0, args, args_name):
    """``fn(t0, y0, *args)`` as an array; InputError if the arguments do not fit it."""
    try:
        return np.asarray(fn(t0, y0, *args))
    except (TypeError, numba.core.errors.NumbaError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name}(t, y, *{args_name}) cannot be called with {args_name} = "
                         f"{args!r}: {first}", source=f"argument {args_name!r}",
                         field=args_name, value=args) from None


def _solve(method, rhs, args, t0, y0, t1, rtol, atol, t_out, max_steps, h_start, event,
           event_args, event_direction, event_terminal, event_tol):
    _check_callable(rhs, "rhs")
    if not isinstance(args, tuple):
        raise InputError(f"args must be a tuple (numba types a list differently), got "
                         f"{type(args).__name__}", source="argument 'args'", field="args")
    t0 = _finite_float(t0, "t0")
    t1 = _finite_float(t1, "t1")
    try:
        y0 = np.array(y0, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(f"y0 must be a vector of numbers, got {y0!r}", source="argument 'y0'",
                         field="y0", value=y0) from None
    if y0.size == 0 or not np.all(np.isfinite(y0)):
        raise InputError("y0 must be a non-empty vector of finite numbers",
                         source="argument 'y0'", field="y0")
    n = y0.size
    rtol = _finite_float(rtol, "rtol")
    try:
        atol_arr = np.array(np.broadcast_to(np.asarray(atol, dtype=np.float64), (n,)))
    except (TypeError, ValueError):
        raise InputError(f"atol must be a number or {n} numbers (one per component)",
                         source="argument 'atol'", field="atol") from None
    if not (0.0 <= rtol < 1.0) or np.any(~np.isfinite(atol_arr)) or np.any(atol_arr <= 0.0):
        raise InputError(f"tolerances out of range: rtol = {rtol}, atol = {atol!r} (rtol in "
                         "[0, 1), atol > 0: a component that passes through 0 needs it)",
                         source="argument 'rtol'", field="rtol", value=rtol)
    sgn = 1.0 if t1 >= t0 else -1.0
    if t_out is None:
        tq = np.zeros(0)
    else:
        try:
            tq = np.array(t_out, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise InputError(f"t_out must be numbers (times), got {t_out!r}",
                             source="argument 't_out'", field="t_out", value=t_out) from None
        if not np.all(np.isfinite(tq)):
            raise InputError("t_out must be finite", source="argument 't_out'", field="t_out")
        if np.any(sgn * np.diff(tq) < 0.0):
            raise InputError("t_out must be sorted in the direction of integration (t0 to t1)",
                             source="argument 't_out'", field="t_out")
        if tq.size and (sgn * (tq[0] - t0) < 0.0 or sgn * (tq[-1] - t1) > 0.0):
            raise InputError(f"t_out must lie within [{t0}, {t1}]",
                             source="argument 't_out'", field="t_out")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, float, np.integer,
                                                                 np.floating)) \
            or not np.isfinite(max_steps) or int(max_steps) != max_steps or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}",
                         source="argument 'max_steps'", field="max_steps", value=max_steps)
    h_start = _finite_float(h_start, "h0")
    f0 = _call(rhs, "rhs", t0, y0, args, "args")
    if f0.shape != (n,):
        raise InputError(f"rhs(t0, y0, *args) returned shape {f0.shape}, expected ({n},)",
                         source="argument 'rhs'", field="rhs")
    if not np.all(np.isfinite(f0)):
        raise InputError(f"rhs(t0, y0, *args) is not finite: {f0!r}", source="argument 'rhs'",
                         field="rhs", value=f0)
    m_ev = 0
    ev_dir = np.zeros(0, dtype=np.int64)
    ev_term = np.zeros(0, dtype=np.int64)
    if event is not None:
        _check_callable(event, "event")
        if not isinstance(event_args, tuple):
            raise InputError("event_args must be a tuple", source="argument 'event_args'",
                             field="event_args")
        g0 = np.atleast_1d(_call(event, "event", t0, y0, event_args, "event_args"))
        if g0.ndim != 1 or g0.size == 0:
            raise InputError(f"event(t0, y0, *event_args) must return a float or a 1-D array, "
                             f"got shape {g0.shape}", source="argument 'event'", field="event")
        if not np.all(np.isfinite(g0)):
            raise InputError(f"event(t0, y0, *event_args) is not finite: {g0!r}",
                             source="argument 'event'", field="event", value=g0)
        m_ev = g0.size
        try:
            ev_dir = np.array(np.broadcast_to(np.sign(np.asarray(event_direction, dtype=float)),
                                              (m_ev,)), dtype=np.int64)
            ev_term = np.array(np.broadcast_to(np.asarray(event_terminal, dtype=bool), (m_ev,)),
                               dtype=np.int64)
        except (TypeError, ValueError):
            raise InputError(f"event_direction and event_terminal must be scalars or have one "
                             f"entry per event value ({m_ev})", source="argument 'event'",
                             field="event_direction") from None
        event_tol = _finite_float(event_tol, "event_tol")
        if event_tol <= 0.0:
            raise InputError("event_tol must be > 0", source="argument 'event_tol'",
                             field="event_tol", value=event_tol)
    A, C, B, E, Dc, ns, expo, fsal = _TABLEAUS[method]
    ints = np.zeros(_N_INT, dtype=np.int64)
    ints[_PH] = _P_START
    ints[_METHOD] = method
    ints[_NS] = ns
    ints[_FSAL] = fsal
    ints[_MAXSTEPS] = int(max_steps)
    ints[_HASEV] = 1 if event is not None else 0
    flt = np.zeros(_N_FLOAT)
    flt[_T] = flt[_T0] = t0
    flt[_T1] = t1
    flt[_SGN] = sgn
    flt[_RTOL] = rtol
    flt[_EXPO] = expo
    flt[_BETA1], flt[_BETA2] = _CONTROL[method]
    flt[_ERROLD] = 1e-4
    flt[_HSTART] = h_start
    flt[_EVTOL] = float(event_tol)
    y = y0.copy()
    k_rows = max(A.shape[0], fsal + 1) + 1  # + a scratch row
    cap = 8
    arrays = [ints, flt, y, np.zeros(n), np.zeros(n), np.zeros((k_rows, n)),
              np.zeros((Dc.shape[0] + 3, n)), np.full((tq.size, n), np.nan), tq, atol_arr, A,
              C, B, E, Dc, np.zeros(m_ev), np.zeros(m_ev), np.zeros(m_ev), np.zeros(m_ev),
              np.zeros(m_ev, dtype=np.int64), np.zeros(m_ev, dtype=np.int64),
              ev_dir, ev_term, np.zeros(cap),
              np.zeros((cap, n)), np.zeros(cap, dtype=np.int64)]
    tab = np.zeros(_TAB_LEN, dtype=np.int64)
    for i, arr in enumerate(arrays):
        assert arr.flags.c_contiguous and arr.dtype.itemsize == 8
        tab[i] = arr.ctypes.data
    tab[_D_N] = n
    tab[_D_M] = tq.size
    tab[_D_KROWS] = k_rows
    tab[_D_PROWS] = Dc.shape[0] + 3
    tab[_D_NT] = A.shape[0]
    tab[_D_ECOLS] = E.shape[1]
    tab[_D_DROWS], tab[_D_DCOLS] = Dc.shape
    tab[_D_MEV] = m_ev
    tab[_D_CAP] = cap
    y_out = arrays[_A_YOUT]
    advance = _advance_pointer()
    while _drive(advance, rhs, args, event, event_args, tab, flt, ints, arrays[_A_YTMP],
                 arrays[_A_K], arrays[_A_GV]) == _REQ_GROW:
        cap *= 2  # more events than room for them: grow the storage and resume
        for i, shape in ((_A_TEV, (cap,)), (_A_YEV, (cap, n)), (_A_KEV, (cap,))):
            old = arrays[i]
            arrays[i] = np.zeros(shape, dtype=old.dtype)
            arrays[i][:old.shape[0]] = old
            tab[i] = arrays[i].ctypes.data
        tab[_D_CAP] = cap
    t_ev, y_ev, k_ev = arrays[_A_TEV], arrays[_A_YEV], arrays[_A_KEV]
    if ints[_STATUS] < 0:  # pragma: no cover
        raise RuntimeError("integrator state machine corrupted")
    n_ev = int(ints[_NEV])
    return IntegrationResult(int(ints[_STATUS]), float(flt[_T]), y, y_out,
                             int(ints[_NSTEPS]), int(ints[_NRHS]), int(ints[_NREJ]),
                             t_ev[:n_ev].copy(), y_ev[:n_ev].copy(), k_ev[:n_ev].copy())


_SOLVE_DOC = """
    Parameters
    ----------
    rhs : numba-jitted function
        ``rhs(t, y, *args)`` returning dy/dt, a float64 array shaped like ``y``.
    args : tuple
        Extra arguments of ``rhs`` (any numba-typable values; keep their types stable).
    t0, t1 : float
        Start and end times (``t1 < t0`` integrates backwards).
    y0 : array_like, shape (n,)
        Initial state.
    rtol : float
        Relative tolerance (module docstring: what it means in metres).
    atol : float or array_like, shape (n,)
        Absolute tolerance, per component (same units as y).
    t_out : array_like, optional
        Output times, sorted from ``t0`` towards ``t1``, within the span; they do not
        shorten steps (dense output).
    max_steps : int
        Bound on the steps tried (accepted plus rejected).
    h0 : float
        First step size (0: automatic, SciPy's rule).
    event : numba-jitted function, optional
        ``event(t, y, *event_args)`` -> float or 1-D array of g values; their zero crossings
        are located (module docstring).
    event_args : tuple
        Extra arguments of ``event``.
    event_direction : int or array of int
        +1 (g increasing), -1 (decreasing) or 0 (either), per g or for all.
    event_terminal : bool or array of bool
        Whether a crossing stops the integration, per g or for all.
    event_tol : float
        Bound on the error of the event times (time units; 1e-6 s by default).

    Returns
    -------
    IntegrationResult
        ``(status, t_final, y_final, y_out, n_steps, n_rhs, n_rejected, t_events, y_events,
        event_index)``.
    """


def dop853_solve(rhs, args, t0, y0, t1, rtol=1e-12, atol=1e-12, t_out=None,
                 max_steps=1_000_000, h0=0.0, *, event=None, event_args=(),
                 event_direction=0, event_terminal=True, event_tol=1e-6):
    return _solve(_DOP853, rhs, args, t0, y0, t1, rtol, atol, t_out, max_steps,
                  abs(_finite_float(h0, "h0")), event, event_args, event_direction,
                  event_terminal, event_tol)


dop853_solve.__doc__ = ("""Adaptive Dormand-Prince 8(5,3) with order-7 dense output, compiled.

    Same steps, error norm and step control as SciPy's ``solve_ivp(method="DOP853")``;
    12 right-hand sides per step, 3 more in a step that holds an output time or an event.
    """ + _SOLVE_DOC)


def verner98_solve(rhs, args, t0, y0, t1, rtol=1e-12, atol=1e-12, t_out=None,
                   max_steps=1_000_000, h0=0.0, *, event=None, event_args=(),
                   event_direction=0, event_terminal=True, event_tol=1e-6):
    return _solve(_VERN98, rhs, args, t0, y0, t1, rtol, atol, t_out, max_steps,
                  abs(_finite_float(h0, "h0")), event, event_args, event_direction,
                  event_terminal, event_tol)


verner98_solve.__doc__ = ("""Adaptive Verner "most efficient" 9(8) pair with its order-9
    interpolant, compiled.

    16 right-hand sides per step (15 for a rejected one), 9 more in a step that holds an
    output time or an event; local error estimated with the 8th-order embedded solution,
    PI step-size control (module docstring), SciPy's initial-step rule and RMS norm.
    """ + _SOLVE_DOC)


RK4_MAX_STEPS = 1e9
""":func:`rk4_solve` refuses a step that needs more steps than this over its span."""


def rk4_solve(rhs, args, t0, y0, t1, h, t_out=None, *, event=None, event_args=(),
              event_direction=0, event_terminal=True, event_tol=1e-6):
    """Classical fixed-step Runge-Kutta 4, output by cubic Hermite interpolation, compiled.

    ``h`` (> 0; its sign is taken from ``t1 - t0``) is the step; the last step is shortened
    to land on ``t1`` (one within 1e-9 h of ``t1`` is merged into the previous). 4
    right-hand sides per step; the Hermite output uses the step's end states and derivatives
    (no extra evaluations; error O(h^4), like the method's). Other arguments and the result
    as :func:`dop853_solve` (no tolerances; ``n_rejected`` is 0).
    """
    h = _finite_float(h, "h")
    if h == 0.0:
        raise InputError("the step h must be non-zero", source="argument 'h'", field="h")
    steps = abs(_finite_float(t1, "t1") - _finite_float(t0, "t0")) / abs(h)
    if steps > RK4_MAX_STEPS:
        raise InputError(f"{steps:.3g} RK4 steps of h = {h:g} over [{t0}, {t1}]: at most "
                         f"{RK4_MAX_STEPS:.0e} (a larger h, or an adaptive method)",
                         source="argument 'h'", field="h", value=h)
    return _solve(_RK4, rhs, args, t0, y0, t1, 0.0, 1.0, t_out, int(steps) + 2, abs(h),
                  event, event_args, event_direction, event_terminal, event_tol)


def warm_up(rhs, args, y0, *, event=None, event_args=()):
    """Compile the integration core for this ``rhs`` (and ``event``) and argument types now.

    One call compiles for all three methods (they share the core). ``y0`` is a typical
    state (the rhs is evaluated over a very short span from it).
    """
    y0 = np.array(y0, dtype=np.float64).ravel()
    rk4_solve(rhs, args, 0.0, y0, 1e-9, 1e-9, event=event, event_args=event_args,
              event_terminal=False)
