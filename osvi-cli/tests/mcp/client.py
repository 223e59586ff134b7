"""Drives `osvi mcp` with the official MCP Python SDK, as an AI agent's host would, and prints
one JSON line per step for the Rust test (osvi-cli/tests/mcp.rs) to check.

    client.py stdio OSVI_BINARY      # spawns `osvi mcp --sim` and `osvi mcp --sim --allow-calls`
    client.py http URL               # connects to a running `osvi mcp --http ... --allow-calls`
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

AGENT = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og"


def report(step, **facts):
    print(json.dumps({"step": step, **facts}), flush=True)


def result_of(result):
    """The parts of a tool result the test checks."""
    text = " ".join(getattr(block, "text", "") for block in result.content)
    return {"is_error": bool(result.is_error), "structured": result.structured_content, "text": text}


def tools_of(listed):
    return {
        tool.name: {
            "destructive": bool(tool.annotations and tool.annotations.destructive_hint),
            "read_only": bool(tool.annotations and tool.annotations.read_only_hint),
            "schema": tool.input_schema,
        }
        for tool in listed.tools
    }


async def calls_listed(session):
    listed = result_of(await session.call_tool("list_calls", {"agent_uuid": AGENT}))
    return len(listed["structured"]["items"])


async def exercise(session, allow_calls):
    """Everything the issue asks of one server; call-placing steps only with `allow_calls`."""
    init = await session.initialize()
    report("initialize", server=init.server_info.name)
    report("tools", allow_calls=allow_calls, tools=tools_of(await session.list_tools()))
    if not allow_calls:
        return
    agents = result_of(await session.call_tool("list_active_agents", {}))
    report("read", **agents)
    dnd = {"agent_uuid": AGENT, "phone": "+919876500077", "reason": "asked not to be called"}
    report("dnd_add", **result_of(await session.call_tool("add_dnd_number", dnd)))
    listed = result_of(await session.call_tool("list_dnd_numbers", {"agent_uuid": AGENT, "all": True}))
    report("dnd_listed", **listed)
    removed = {"agent_uuid": AGENT, "phone": "+919876500077"}
    report("dnd_remove", **result_of(await session.call_tool("remove_dnd_number", removed)))
    listed = result_of(await session.call_tool("list_dnd_numbers", {"agent_uuid": AGENT}))
    report("dnd_after", **listed)

    call = {"agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN", "person_name": "John Doe"}
    report("dry_run", calls=await calls_listed(session),
           **result_of(await session.call_tool("create_call", {**call, "dry_run": True})))
    report("no_confirm", **result_of(await session.call_tool("create_call", call)))
    bad = {**call, "phone_number": 9876543210, "confirm": True}
    report("bad_input", **result_of(await session.call_tool("create_call", bad)))
    two_bad = {**call, "phone_number": 9876543210, "country_code": 91, "confirm": True}
    report("two_bad", **result_of(await session.call_tool("create_call", two_bad)))
    bad_rule = {**call, "initial_greeting": "x" * 2001, "confirm": True}
    report("broken_rule", **result_of(await session.call_tool("create_call", bad_rule)))
    report("before_placing", calls=await calls_listed(session))
    report("placed", **result_of(await session.call_tool("create_call", {**call, "confirm": True})))
    report("after_placing", calls=await calls_listed(session))
    report("api_error", **result_of(await session.call_tool("get_call", {"id": "00000000-0000-4000-8000-000000000000"})))


async def over_stdio(binary):
    for allow_calls in (False, True):
        args = ["mcp", "--sim"] + (["--allow-calls"] if allow_calls else [])
        server = StdioServerParameters(command=binary, args=args, env={"OSVI_API_TOKEN": ""})
        async with stdio_client(server) as (read, write):
            async with ClientSession(read, write) as session:
                await exercise(session, allow_calls)


async def over_http(url):
    async with streamable_http_client(url) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await exercise(session, True)


if __name__ == "__main__":
    mode, target = sys.argv[1], sys.argv[2]
    asyncio.run(over_stdio(target) if mode == "stdio" else over_http(target))
