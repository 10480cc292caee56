// POCOs in and out through DefaultLambdaJsonSerializer, primitives, async handlers, Stream I/O, errors.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using Amazon.Lambda.Core;
using Amazon.Lambda.Serialization.SystemTextJson;

namespace Example
{
    public enum Status { Open, Paid }

    public class Order
    {
        public string Item { get; set; }
        public int Quantity { get; set; }
        public decimal Price { get; set; }
        public List<string> Tags { get; set; }
        public Dictionary<string, int> Extras { get; set; }
    }

    public class Receipt
    {
        public string Summary { get; set; }
        public decimal Total { get; set; }
        public string Note { get; set; }
        [JsonPropertyName("when")]
        public DateTime When { get; set; }
        public Status State { get; set; }
        public string[] Tags { get; set; }
        [JsonIgnore]
        public string Secret { get; set; }
    }

    public class Orders
    {
        public Receipt Place(Order order, ILambdaContext context)
        {
            return new Receipt
            {
                Summary = order.Quantity + " x " + order.Item,
                Total = order.Quantity * order.Price + (order.Extras == null ? 0 : order.Extras["wrap"]),
                When = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                State = Status.Paid,
                Tags = order.Tags == null ? null : order.Tags.ToArray(),
                Secret = "hidden",
            };
        }

        public static string Upper(string text)
        {
            return text.ToUpperInvariant();
        }

        public async Task<int> Twice(int n)
        {
            await Task.Delay(10);
            return n * 2;
        }

        public Stream Shout(Stream input)
        {
            string text = new StreamReader(input, Encoding.UTF8).ReadToEnd();
            return new MemoryStream(Encoding.UTF8.GetBytes(text.ToUpperInvariant()));
        }

        public void Nothing(ILambdaContext context)
        {
        }

        public int Fail(Order order)
        {
            return Check(order);
        }

        private static int Check(Order order)
        {
            throw new InvalidOperationException("boom", new ArgumentException("the cause"));
        }

        public async Task FailLater()
        {
            await Task.Delay(1);
            throw new ArgumentOutOfRangeException("n", "async boom");
        }

        /// <summary>A layer's assembly, found in /opt by name.</summary>
        public string Layered()
        {
            Type greeting = Assembly.Load("Greeting").GetType("Layer.Greeting");
            return (string)greeting.GetMethod("Who").Invoke(null, null);
        }
    }

    public class CamelCase
    {
        [LambdaSerializer(typeof(CamelCaseLambdaJsonSerializer))]
        public Receipt Handle(Order order)
        {
            return new Receipt { Summary = order.Item, Total = 1.5m };
        }
    }
}
