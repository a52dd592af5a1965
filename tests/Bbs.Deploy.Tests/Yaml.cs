using YamlDotNet.RepresentationModel;

namespace Bbs.Deploy.Tests;

/// <summary>
/// YAML documents as plain trees: <see cref="Dictionary{TKey,TValue}"/> (string keys), <see cref="List{T}"/> and
/// string scalars. Aliases are resolved by the parser; merge keys (<c>&lt;&lt;: *anchor</c>), which compose files use,
/// are applied here, later keys winning as in YAML 1.1.
/// </summary>
public static class Yaml
{
    public static IReadOnlyList<object?> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    public static Dictionary<string, object?> LoadMapping(string text) =>
        LoadAll(text).Single() as Dictionary<string, object?> ?? throw new InvalidDataException("The document is not a mapping.");

    public static Dictionary<string, object?> Map(object? node, string what) =>
        node as Dictionary<string, object?> ?? throw new InvalidDataException($"{what} is not a mapping.");

    public static List<object?> Seq(object? node, string what) =>
        node as List<object?> ?? throw new InvalidDataException($"{what} is not a sequence.");

    public static string Str(object? node, string what) =>
        node as string ?? throw new InvalidDataException($"{what} is not a scalar.");

    /// <summary>Every scalar of the tree, keys as well as values.</summary>
    public static IEnumerable<string> Scalars(object? node) => node switch
    {
        string s => [s],
        Dictionary<string, object?> map => map.SelectMany(kv => Scalars(kv.Value).Prepend(kv.Key)),
        List<object?> list => list.SelectMany(Scalars),
        _ => [],
    };

    private static object? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return scalar.Value;
            case YamlSequenceNode sequence:
                return sequence.Children.Select(Convert).ToList();
            case YamlMappingNode mapping:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in mapping.Children)
                {
                    string name = ((YamlScalarNode)key).Value ?? string.Empty;
                    if (name == "<<")
                    {
                        var merged = Convert(value) switch
                        {
                            Dictionary<string, object?> one => [one],
                            List<object?> many => many.Cast<Dictionary<string, object?>>().ToList(),
                            _ => throw new InvalidDataException("A merge key must name a mapping or a list of mappings."),
                        };
                        foreach (var entry in merged.SelectMany(m => m))
                        {
                            result.TryAdd(entry.Key, entry.Value);
                        }
                    }
                    else
                    {
                        result[name] = Convert(value);
                    }
                }

                return result;
            default:
                throw new InvalidDataException($"Unexpected YAML node {node.NodeType}.");
        }
    }
}
