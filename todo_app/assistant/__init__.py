"""The todo assistant: tools a model (or the offline parser) calls for the signed-in user.

Nothing here imports Reflex: the UI binds the user and shows pending confirmations.

Modules, one concern each:
- ``tool_args``: the tools' argument models, their JSON schemas and the call parser;
- ``tools``: the executor (one transaction per call, the per-request change budget);
- ``groq_transport``: the Groq client, retries, Retry-After, the failure sentences;
- ``groq_chat``: the tool-calling loop; ``groq_suggest``: Suggest;
- ``offline``: the intent parser used without a Groq key;
- ``rate_limit``: the per-user request limit shared by every replica;
- ``service``: one request as the page makes it.

Import the modules themselves: this package re-exports nothing (a facade
nobody used was removed).
"""
