-- Neovim's own LSP client against `dlc lsp` (run by tests/lsp_neovim.rs):
-- open a lake, make Dev's range overlap Prod's, wait for the diagnostic,
-- apply its code action, wait for the buffer to check clean, save.
-- Writes "ok" or what went wrong to $DLC_RESULT, then quits.

local dlc, lake, result = os.getenv('DLC'), os.getenv('DLC_LAKE'), os.getenv('DLC_RESULT')

local function finish(message)
  local file = io.open(result, 'w')
  file:write(message)
  file:close()
  vim.cmd('qall!')
end

local function errors()
  return vim.diagnostic.get(0, { severity = vim.diagnostic.severity.ERROR })
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(lake))
  local config = {
    name = 'dlc',
    cmd = { dlc, 'lsp' },
    root_dir = vim.fn.fnamemodify(lake, ':h'),
  }
  -- vim.lsp.start came with Neovim 0.8; Debian's 0.7 has start_client.
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(0, client_id)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  if not vim.wait(10000, function() return client.initialized end, 20) then
    return 'the server did not initialize'
  end

  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local dev_line
  for i, line in ipairs(lines) do
    if line:find('cidr = 10.20.0.0/24', 1, true) then dev_line = i end
  end
  if not dev_line then return "no line with Dev's range" end
  local edited = lines[dev_line]:gsub('10%.20%.0%.0/24', '10.0.0.0/25')
  vim.api.nvim_buf_set_lines(0, dev_line - 1, dev_line, false, { edited })

  local overlaps = {}
  vim.wait(10000, function()
    overlaps = {}
    for _, d in ipairs(errors()) do
      if d.message:find('overlap') then table.insert(overlaps, d) end
    end
    return #overlaps > 0
  end, 20)
  if #overlaps == 0 then return 'no overlap diagnostic after the edit' end

  -- The overlap is reported on the range that moved; ask each until one has a fix.
  local action
  for _, overlap in ipairs(overlaps) do
    -- Neovim 0.7 keeps no range in user_data.lsp: rebuild it (ASCII line,
    -- so byte columns are UTF-16 columns).
    local params = {
      textDocument = vim.lsp.util.make_text_document_params(),
      range = {
        start = { line = overlap.lnum, character = overlap.col },
        ['end'] = { line = overlap.end_lnum, character = overlap.end_col },
      },
      context = { diagnostics = {} },
    }
    local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 10000)
    for _, response in pairs(responses or {}) do
      for _, candidate in ipairs(response.result or {}) do
        action = action or candidate
      end
    end
  end
  if not action or not action.edit then
    return 'no code action for the overlap: ' .. vim.inspect(overlaps)
  end
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')

  if not vim.wait(10000, function() return #errors() == 0 end, 20) then
    local left = {}
    for _, d in ipairs(errors()) do table.insert(left, d.message) end
    return 'errors left after the code action: ' .. table.concat(left, '; ')
  end
  vim.cmd('write')
  return 'ok'
end

local ok, message = pcall(run)
finish(ok and message or ('error: ' .. tostring(message)))
