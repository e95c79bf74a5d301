"""E-mail replies: MIME decoding, quote and signature splitting, coding of questions 1 and 5, identification."""
