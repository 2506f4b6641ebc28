"""Monotone inclusions 0 in F(x) + G(x) with finite-sum F = (1/n) sum_i F_i: Halpern
iteration, variance-reduced Halpern (Cai, Alacaoglu & Diakonikolas, ICLR 2024) and the
extragradient-type baselines (extragradient, EAG, variance-reduced extragradient)."""
from .eag import eag
from .extragradient import extragradient
from .halpern import halpern
from .vr_eg import vr_eg
from .vr_halpern import vr_halpern

__all__ = ["eag", "extragradient", "halpern", "vr_eg", "vr_halpern"]
