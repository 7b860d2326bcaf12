"""The naive baseline: a straight-line script that writes a chart, a DOCX and a PDF from the content file.

What a developer writes first without a pipeline: pyplot for the chart, python-docx and reportlab's
platypus for the documents, no caching, no styles beyond the defaults. Same text as the briefing
(summary, body, conclusion), the membership chart in both files. Usage:

    python tests/benchmarks/naive.py data/sco-russia.yaml OUT_DIR
"""

import sys
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import yaml  # noqa: E402
from docx import Document  # noqa: E402
from docx.shared import Mm  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Image, ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table  # noqa: E402

content = yaml.safe_load(Path(sys.argv[1]).read_text(encoding="utf-8"))
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
document = content["document"]
categories = content["organisation"]["membership"]

# the chart
figure, axes = plt.subplots(figsize=(6, 3))
axes.barh([category["label"] for category in categories], [len(category["members"]) for category in categories])
axes.invert_yaxis()
axes.set_title(content["organisation"].get("acronym") or content["organisation"]["name"])
figure.tight_layout()
chart = out / "naive-chart.png"
figure.savefig(chart, dpi=200)
plt.close(figure)

interests = [[interest["sector"], interest["summary"]] for interest in content["actor"]["interests"]]

# the DOCX
word = Document()
word.add_heading(document["title"], 0)
if document.get("subtitle"):
    word.add_paragraph(document["subtitle"])
for point in content["summary"]:
    word.add_paragraph(point, style="List Bullet")
for section in content["body"]:
    word.add_heading(section["heading"], 1)
    for block in section["blocks"]:
        if "paragraph" in block:
            word.add_paragraph(block["paragraph"])
        for item in block.get("items", []):
            word.add_paragraph(item if isinstance(item, str) else str(item), style="List Bullet")
word.add_picture(str(chart), width=Mm(150))
table = word.add_table(rows=0, cols=2)
for sector, summary in interests:
    cells = table.add_row().cells
    cells[0].text, cells[1].text = sector, summary
word.add_heading(content["conclusion"].get("heading", ""), 1)
for paragraph in content["conclusion"]["paragraphs"]:
    word.add_paragraph(paragraph)
word.save(str(out / "naive.docx"))

# the PDF
styles = getSampleStyleSheet()
story = [Paragraph(escape(document["title"]), styles["Title"])]
if document.get("subtitle"):
    story.append(Paragraph(escape(document["subtitle"]), styles["Heading3"]))
story.append(ListFlowable([Paragraph(escape(point), styles["BodyText"]) for point in content["summary"]],
                          bulletType="bullet"))
for section in content["body"]:
    story.append(Paragraph(escape(section["heading"]), styles["Heading1"]))
    for block in section["blocks"]:
        if "paragraph" in block:
            story.append(Paragraph(escape(block["paragraph"]), styles["BodyText"]))
        if block.get("items"):
            story.append(ListFlowable([Paragraph(escape(str(item)), styles["BodyText"]) for item in block["items"]],
                                      bulletType="bullet"))
story += [Spacer(1, 6 * mm), Image(str(chart), width=150 * mm, height=75 * mm)]
story.append(Table([[Paragraph(escape(cell), styles["BodyText"]) for cell in row] for row in interests],
                   colWidths=[40 * mm, 120 * mm]))
story.append(Paragraph(escape(content["conclusion"].get("heading", "")), styles["Heading1"]))
for paragraph in content["conclusion"]["paragraphs"]:
    story.append(Paragraph(escape(paragraph), styles["BodyText"]))
SimpleDocTemplate(str(out / "naive.pdf"), pagesize=A4).build(story)
