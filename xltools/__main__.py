"""`python -m xltools` (Windows: `py -m xltools`), the same as the xltools command."""
from .cli import main

if __name__ == "__main__":  # a spawned worker imports this as __mp_main__: it must not run
    main()
