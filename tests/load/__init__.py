"""Load tests (marked ``slow``): many concurrent connections through a sockkit Selector."""
