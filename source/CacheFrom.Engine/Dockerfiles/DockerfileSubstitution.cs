using System.Text;

namespace CacheFrom.Dockerfiles;

/// <summary>
/// Dockerfile variable substitution as BuildKit's shell lexer does it for <c>FROM</c>, <c>ARG</c>,
/// <c>COPY</c> and the other instructions it expands: <c>$X</c>, <c>${X}</c>, <c>${X:-d}</c>,
/// <c>${X-d}</c>, <c>${X:+a}</c>, <c>${X+a}</c> (<c>:</c> treats an empty value as unset);
/// nothing inside single quotes; the escape character makes the next character literal.
/// A variable absent from the scope is unset and expands to nothing.
/// </summary>
public static class DockerfileSubstitution
{
    /// <param name="text">The text to expand, e.g. an <see cref="DockerfileArg.Default"/> or a <c>FROM</c> image.</param>
    /// <param name="scope">Variables in scope; a key that is present is set (possibly to <c>""</c>).</param>
    /// <param name="escape">The Dockerfile's escape character (<see cref="Dockerfile.EscapeCharacter"/>).</param>
    /// <param name="removeQuotes">True to drop quotes and escape characters as BuildKit does for a word (<c>"a b"</c> → <c>a b</c>); false to keep them.</param>
    public static DockerfileExpansion Expand(string text, IReadOnlyDictionary<string, string> scope, char escape = '\\', bool removeQuotes = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(scope);
        var lexer = new Lexer(text, scope, escape, removeQuotes);
        var value = lexer.Word(stop: null);
        return new DockerfileExpansion(value, lexer.Read);
    }

    private sealed class Lexer(string text, IReadOnlyDictionary<string, string> scope, char escape, bool removeQuotes)
    {
        private List<string> _read = [];
        private int _pos;

        public IReadOnlyList<string> Read => _read;

        public string Word(char? stop)
        {
            var result = new StringBuilder();
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (stop is { } s && c == s)
                    break;
                if (c == escape)
                {
                    Escaped(result, inDoubleQuotes: false);
                }
                else if (c == '\'')
                {
                    SingleQuoted(result);
                }
                else if (c == '"')
                {
                    DoubleQuoted(result);
                }
                else if (c == '$')
                {
                    result.Append(Dollar());
                }
                else
                {
                    result.Append(c);
                    _pos++;
                }
            }

            return result.ToString();
        }

        private void Escaped(StringBuilder result, bool inDoubleQuotes)
        {
            if (_pos + 1 >= text.Length)
            {
                // A lone escape at the end stays as written.
                result.Append(text[_pos++]);
                return;
            }

            var next = text[_pos + 1];
            // Inside double quotes the escape only protects '"', '$' and itself.
            var escapes = !inDoubleQuotes || next == '"' || next == '$' || next == escape;
            if (!removeQuotes || !escapes)
                result.Append(text[_pos]);
            result.Append(next);
            _pos += 2;
        }

        private void SingleQuoted(StringBuilder result)
        {
            var close = text.IndexOf('\'', _pos + 1);
            var end = close < 0 ? text.Length : close + 1;
            result.Append(removeQuotes ? text[(_pos + 1)..(close < 0 ? text.Length : close)] : text[_pos..end]);
            _pos = end;
        }

        private void DoubleQuoted(StringBuilder result)
        {
            if (!removeQuotes)
                result.Append('"');
            _pos++;
            while (_pos < text.Length && text[_pos] != '"')
            {
                var c = text[_pos];
                if (c == escape)
                {
                    Escaped(result, inDoubleQuotes: true);
                }
                else if (c == '$')
                {
                    result.Append(Dollar());
                }
                else
                {
                    result.Append(c);
                    _pos++;
                }
            }

            if (_pos < text.Length)
            {
                if (!removeQuotes)
                    result.Append('"');
                _pos++;
            }
        }

        private string Dollar()
        {
            _pos++;
            if (_pos >= text.Length)
                return "$";
            if (text[_pos] != '{')
            {
                var plain = Name();
                return plain.Length == 0 ? "$" : Lookup(plain) ?? "";
            }

            var start = _pos - 1;
            _pos++;
            var name = Name();
            if (name.Length == 0 || _pos >= text.Length)
                return Literal(start);
            var op = text[_pos];
            if (op == '}')
            {
                _pos++;
                return Lookup(name) ?? "";
            }

            var colon = op == ':';
            if (colon)
            {
                _pos++;
                if (_pos >= text.Length)
                    return Literal(start);
                op = text[_pos];
            }

            if (op is not ('-' or '+' or '?'))
            {
                // ${X#p}, ${X%p}, ${X/a/b}: not expanded here; the value of X stands in.
                var close = text.IndexOf('}', _pos);
                _pos = close < 0 ? text.Length : close + 1;
                return Lookup(name) ?? "";
            }

            _pos++;
            var value = Lookup(name);
            var set = value is not null && (!colon || value.Length > 0);
            var use = op switch
            {
                '-' => !set,
                '+' => set,
                _ => false,
            };
            var word = Nested(use);
            if (_pos < text.Length && text[_pos] == '}')
                _pos++;
            return op switch
            {
                '-' => set ? value! : word,
                '+' => set ? word : "",
                _ => value ?? "",
            };
        }

        // The word of ${X:-word}: expanded in full to find its end, its variables read only when it is used.
        private string Nested(bool used)
        {
            var outer = _read;
            _read = [];
            var word = Word(stop: '}');
            var inner = _read;
            _read = outer;
            if (used)
            {
                foreach (var variable in inner)
                    Record(variable);
            }

            return word;
        }

        private string Literal(int start)
        {
            var close = text.IndexOf('}', _pos);
            _pos = close < 0 ? text.Length : close + 1;
            return text[start.._pos];
        }

        private string Name()
        {
            var start = _pos;
            if (_pos < text.Length && (char.IsAsciiLetter(text[_pos]) || text[_pos] == '_'))
            {
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                    _pos++;
            }

            return text[start.._pos];
        }

        private string? Lookup(string name)
        {
            Record(name);
            return scope.TryGetValue(name, out var value) ? value : null;
        }

        private void Record(string name)
        {
            if (!_read.Contains(name, StringComparer.Ordinal))
                _read.Add(name);
        }
    }
}
