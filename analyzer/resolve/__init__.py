"""The resolve stage: resolver.py drives it (matches → findings with evaluated names);
evaluate.py follows references, specs.py reads a rule's name, schema and stream at a call,
relays.py joins trackSubscribe relays. Nothing is imported here, so that a module needing one
of them (a cached result holds relays) does not load the whole stage."""
