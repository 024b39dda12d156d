"""An honest evaluation of the rider-photo face analysis: a generated, labelled set split by
identity into a tuning part and a held-out part (faceset.py), scored per decision and through the
workflow (scoring.py)."""
