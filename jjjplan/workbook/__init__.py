"""Reading and writing planner Excel workbooks safely."""

from jjjplan.workbook.comparison import write_comparison
from jjjplan.workbook.reader import read_workbook
from jjjplan.workbook.results_writer import write_results
from jjjplan.workbook.template import make_template

__all__ = ["make_template", "read_workbook", "write_comparison", "write_results"]
