"""Reading and writing planner Excel workbooks safely."""
