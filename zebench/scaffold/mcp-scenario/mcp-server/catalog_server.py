"""The example MCP server of this scenario: a product catalog over stdio (the mcp SDK's MCPServer).

zebench starts it for every run inside the run's sandbox (working directory: the workspace; no network).
"""

from mcp.server.mcpserver import MCPServer

PRICES = {"apple": 0.42, "bread": 2.35, "cheese": 7.9, "dates": 5.15}

app = MCPServer("catalog")


@app.tool()
def list_products() -> list[str]:
    """The products the catalog knows."""
    return sorted(PRICES)


@app.tool()
def get_price(product: str) -> float:
    """The price of one product, in euros."""
    if product not in PRICES:
        raise ValueError(f"unknown product {product!r}; list_products names them")
    return PRICES[product]


if __name__ == "__main__":
    app.run()
