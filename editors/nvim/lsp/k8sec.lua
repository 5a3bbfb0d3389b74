-- k8sec language server, for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`) and
-- nvim-lspconfig, which read `lsp/<name>.lua` from the runtimepath.
--
--   vim.opt.runtimepath:append("/path/to/k8sec/editors/nvim")
--   vim.lsp.enable("k8sec")
--
-- Override any field with `vim.lsp.config("k8sec", { cmd = { "/path/to/k8sec", "lsp" } })`.
return require("k8sec").config
