"""The projection model: ``engine`` (year-by-year projection), ``pathways`` (the four pathway
paths) and ``taxshare`` (the tax-sharing rule). A regular package, not a namespace package,
so tools and type checkers find it and its files ship in the wheel."""
