-- k8sec language server for Neovim: diagnostics, quick fixes and check docs on hover for
-- Kubernetes manifests, from `k8sec lsp`.
--
-- Neovim 0.11+: put this directory on the runtimepath and `vim.lsp.enable("k8sec")` (it reads
-- lsp/k8sec.lua). Neovim 0.10: `require("k8sec").setup()` starts the server with
-- `vim.lsp.start` for YAML and JSON buffers.
local M = {}

-- The client configuration: one server per project root (the directory holding
-- `.k8sec.toml`, else the repository's root), as `k8sec lint .` would be run there.
M.config = {
  name = "k8sec",
  cmd = { "k8sec", "lsp" },
  filetypes = { "yaml", "json" },
  root_markers = { ".k8sec.toml", ".git" },
}

-- Neovim 0.10 and later: starts (or reuses) the server for each YAML or JSON buffer.
-- `opts` overrides fields of `M.config`, e.g. `{ cmd = { "/path/to/k8sec", "lsp" } }`.
function M.setup(opts)
  local config = vim.tbl_deep_extend("force", M.config, opts or {})
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("k8sec", { clear = true }),
    pattern = config.filetypes,
    callback = function(args)
      local file = vim.api.nvim_buf_get_name(args.buf)
      if file == "" then
        return
      end
      local root = vim.fs.root(args.buf, config.root_markers) or vim.fs.dirname(file)
      vim.lsp.start({
        name = config.name,
        cmd = config.cmd,
        root_dir = root,
        workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      }, { bufnr = args.buf })
    end,
  })
end

return M
