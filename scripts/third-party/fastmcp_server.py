"""A small FastMCP server used as a third-party target for mcp-harness.

Usage:
    python fastmcp_server.py stdio
    python fastmcp_server.py http PORT      # Streamable HTTP on http://127.0.0.1:PORT/mcp

It offers what a typical FastMCP server offers: three tools (one read-only with structured output,
one that fails with a tool execution error, one with side effects), a static resource, a resource
template and a prompt with an argument. HTTP binds 127.0.0.1 only.
"""

import sys
from typing import Annotated

from fastmcp import FastMCP
from pydantic import BaseModel, Field

mcp = FastMCP("harness-fastmcp-demo", instructions="Demo server for the mcp-harness third-party run.")

NOTES: list[str] = []


class Sum(BaseModel):
    a: int
    b: int
    sum: int


@mcp.tool(annotations={"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False})
def add(a: Annotated[int, Field(description="first addend")], b: Annotated[int, Field(description="second addend")]) -> Sum:
    """Add two integers and return the operands with their sum (structured output)."""
    return Sum(a=a, b=b, sum=a + b)


@mcp.tool(annotations={"readOnlyHint": True})
def divide(a: float, b: float) -> float:
    """Divide a by b; dividing by zero is a tool execution error."""
    if b == 0:
        raise ValueError("division by zero")
    return a / b


@mcp.tool(annotations={"readOnlyHint": False, "destructiveHint": False})
def add_note(text: str) -> str:
    """Append a note to the in-memory list (a side effect)."""
    NOTES.append(text)
    return f"{len(NOTES)} notes"


@mcp.resource("demo://greeting", mime_type="text/plain")
def greeting() -> str:
    """A static greeting."""
    return "Hello from FastMCP"


@mcp.resource("demo://notes/{index}", mime_type="text/plain")
def note(index: int) -> str:
    """One note by its index."""
    return NOTES[index] if 0 <= index < len(NOTES) else ""


@mcp.prompt
def summarize(topic: str) -> str:
    """Ask for a short summary of a topic."""
    return f"Summarize {topic} in three sentences."


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if mode == "stdio":
        mcp.run("stdio", show_banner=False)
    elif mode == "http":
        port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
        mcp.run("http", show_banner=False, host="127.0.0.1", port=port, path="/mcp")
    else:
        sys.exit(f"usage: {sys.argv[0]} stdio | http PORT")
