"""Keep astropy off the network: the bundled IERS tables (astropy-iers-data) are used.

Imported for its side effect by every module that converts times or frames.
"""

from astropy.utils import iers

iers.conf.auto_download = False
iers.conf.auto_max_age = None
iers.conf.iers_degraded_accuracy = "warn"
