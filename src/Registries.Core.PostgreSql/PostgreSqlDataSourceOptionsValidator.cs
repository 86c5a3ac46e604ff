using Microsoft.Extensions.Options;

namespace Registries.Core.PostgreSql;

/// <summary>The rules of <see cref="PostgreSqlStoreOptions"/> for a store given its data source: everything but the connection string.</summary>
internal sealed class PostgreSqlDataSourceOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PostgreSqlStoreOptionsValidator.ValidateWithoutConnectionString(options);
    }
}
