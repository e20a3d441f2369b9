"""The untrusted search: certificates found by numerical SDPs at sample points of a region
(:mod:`.sdp`, :mod:`.support`, :mod:`.search`), made exact and handed to the kernel
(:mod:`.synthesis`). Nothing found here counts until the kernel's exact check accepts it.
"""
