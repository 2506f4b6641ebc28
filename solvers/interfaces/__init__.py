"""Adapters to other ecosystems (scikit-learn estimators, scipy.optimize methods); the only
part of ``solvers`` allowed to import concrete problems."""
