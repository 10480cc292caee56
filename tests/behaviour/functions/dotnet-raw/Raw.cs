// An assembly without a LambdaSerializer attribute: Stream in and out works, a POCO is refused at init.
using System.IO;
using Amazon.Lambda.Core;

namespace Raw
{
    public class Point
    {
        public int X { get; set; }
    }

    public class Functions
    {
        public Stream Echo(Stream input, ILambdaContext context)
        {
            var copy = new MemoryStream();
            input.CopyTo(copy);
            byte[] prefix = System.Text.Encoding.UTF8.GetBytes(context.FunctionName + ":");
            var output = new MemoryStream();
            output.Write(prefix, 0, prefix.Length);
            copy.WriteTo(output);
            output.Position = 0;
            return output;
        }

        public int Poco(Point point)
        {
            return point.X;
        }
    }
}
