"""Checks of the stored data: the validation-rule language, outlier tests, findings and their
pages."""
