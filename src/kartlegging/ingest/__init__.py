"""Stage 1, raw to tables: each survey source (dispatch list, e-mail, phone round, interviews)
and the KOSTRA extracts."""
