"""National drug programmes and services for groups at risk, published by the Member States
(Work Plan 11.b, 11.c)."""
