"""Write the synthetic demonstration round 2024 and its own config (``make demo-round-2024``).

Thin on purpose: the logic is kartlegging_synth.add_round, where it is tested.
``python scripts/add_round.py --remove`` takes the round out again.
"""
import sys

from kartlegging_synth.add_round import main

if __name__ == "__main__":
    sys.exit(main())
