"""Stage 2, tables to figures: consolidation, conservation, figures and series, KOSTRA cross-check, crosswalks."""
